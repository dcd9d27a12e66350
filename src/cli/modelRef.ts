import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {parseRef, resolveArtifact, resolveModel, type ArtifactRow} from "../pipeline/tracking/resolve.ts";
import {trackingOf} from "../pipeline/tracking/trackingPath.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/** A model a command was pointed at: its bundle file and what tracking knows of it. */
export interface ModelRef {
  file: string;
  /** The config's folder: where the modules a bundle replays are found. */
  base: string;
  /** The registered model or artifact version, when it came from tracking. */
  name?: string;
  version?: number;
  run?: string;
}

/**
 * A bundle's path as is; otherwise a registered model (`NAME@ALIAS`, `NAME:vN`), else an artifact
 * (`model:v3`, the config's pipeline's; `flights/model:v1`, another's), resolved to its store file.
 */
export async function resolveModelRef(ref: string, config: string): Promise<ModelRef> {
  const base = dirname(resolve(config));
  if (existsSync(ref)) return {file: ref, base};
  if (/\\|\.json$/.test(ref)) throw new ConfigError(`invalid --model: ${ref} (no such file)`);
  try {
    parseRef(ref);
  } catch {
    throw new ConfigError(`invalid --model: ${ref} (no such file, and no model or artifact reference)`);
  }
  const loaded = await loadConfig(config);
  const tracking = trackingOf(loaded, storeRoot(loaded));
  const {artifact, name, version} = await withProject(tracking, async (tx) => {
    const named = ref.split(/[:@]/)[0];
    // A registered model's name never holds a slash; an artifact's may name its pipeline.
    const [registered] = await tx.rows("SELECT 1 FROM models WHERE name = ? LIMIT 1", [named]);
    if (!registered) {
      const row: ArtifactRow = await resolveArtifact(tx, ref, loaded.config.name);
      return {artifact: row, name: row.name, version: row.version};
    }
    const model = await resolveModel(tx, ref);
    return {artifact: model.artifact, name: model.model.name, version: model.model.version};
  });
  const file = join(tracking.root, "store", artifact.step, artifact.key, `${artifact.output}.json`);
  if (!existsSync(file))
    throw new ConfigError(
      `--model ${ref}: ${artifact.name}:v${artifact.version} was collected by mlbook gc; run the pipeline again to rebuild it`
    );
  return {file, base, name, version, run: artifact.run_id};
}
