import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {ConfigError} from "../pipeline/errors.ts";
import {loadModel, scoreFile} from "../pipeline/score/predict.ts";
import {loadConfig} from "../pipeline/builtins.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {trackingOf} from "../pipeline/tracking/trackingPath.ts";
import {resolveArtifactFor, resolveModel, type ArtifactRow} from "../pipeline/tracking/resolve.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/** `mlbook predict --model NAME@ALIAS|NAME:vN|PATH IN [-o OUT]`. */
export async function predictCommand(
  input: string,
  options: {config: string; model: string; output?: string}
): Promise<void> {
  const model = await loadModel(await modelFile(options.model, options.config), {
    base: dirname(resolve(options.config))
  });
  const result = await scoreFile(model, input, options.output);
  if (result.csv !== undefined) process.stdout.write(result.csv);
  else process.stderr.write(`wrote ${result.rows} predictions to ${result.output}\n`);
}

/**
 * A file path as is; otherwise a registered model, else an artifact of the config's pipeline,
 * resolved to its store file. Pipelines of one folder share artifact names: `model` or
 * `model:latest` made by another pipeline is refused (resolveArtifactFor), not scored.
 */
async function modelFile(ref: string, config: string): Promise<string> {
  if (existsSync(ref)) return ref;
  if (/[/\\]|\.json$/.test(ref)) throw new ConfigError(`invalid --model: ${ref} (no such file)`);
  const loaded = await loadConfig(config);
  const pipeline = loaded.config.name;
  const tracking = trackingOf(loaded, storeRoot(loaded));
  const artifact = await withProject(tracking, async (tx): Promise<ArtifactRow> => {
    const name = ref.split(/[:@]/)[0];
    const [registered] = await tx.rows("SELECT 1 FROM models WHERE name = ? LIMIT 1", [name]);
    return registered ? (await resolveModel(tx, ref)).artifact : resolveArtifactFor(tx, ref, pipeline);
  });
  const file = join(tracking.root, "store", artifact.step, artifact.key, `${artifact.output}.json`);
  if (!existsSync(file))
    throw new ConfigError(
      `--model ${ref}: ${artifact.name}:v${artifact.version} was collected by mlbook gc; run the pipeline again to rebuild it`
    );
  return file;
}
