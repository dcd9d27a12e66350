import {loadConfig, type Loaded} from "../pipeline/builtins.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {DEFAULT_CONFIG, listPipelines} from "../site/pipelines.ts";
import {join} from "node:path";

export interface PipelineContext {
  /** The pipeline's name (its config's `name`), as used in routes. */
  name: string;
  loaded: Loaded;
}

/**
 * The pipeline a loader reports on: `--pipeline=<name>` (Framework passes it to a loader under a
 * `[pipeline]` folder), else the default config. Loaders run with the project as working folder.
 */
export async function pipelineContext(
  argv: readonly string[] = process.argv.slice(2),
  root = process.cwd()
): Promise<PipelineContext> {
  const arg = argv.find((a) => a.startsWith("--pipeline="))?.slice("--pipeline=".length);
  if (arg === undefined) {
    const loaded = await loadConfig(join(root, DEFAULT_CONFIG));
    return {name: loaded.config.name, loaded};
  }
  const pipelines = listPipelines(root);
  const config = pipelines[arg];
  if (!config)
    throw new ConfigError(
      `invalid --pipeline: ${JSON.stringify(arg)} (expected one of ${Object.keys(pipelines).join(", ")})`
    );
  return {name: arg, loaded: await loadConfig(config)};
}
