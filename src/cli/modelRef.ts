import {existsSync} from "node:fs";
import {dirname, resolve} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {artifactPath, parseRef, resolveModelOrArtifact} from "../pipeline/tracking/resolve.ts";
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
  const {artifact, name, version} = await withProject(tracking, (tx) =>
    resolveModelOrArtifact(tx, ref, loaded.config.name)
  );
  const file = artifactPath(tracking.root, artifact, "json");
  if (!existsSync(file))
    throw new ConfigError(
      `--model ${ref}: ${artifact.name}:v${artifact.version} was collected by mlbook gc; run the pipeline again to rebuild it`
    );
  return {file, base, name, version, run: artifact.run_id};
}
