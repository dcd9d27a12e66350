import {existsSync} from "node:fs";
import {join} from "node:path";
import type {LoadedConfig} from "../engine/config.ts";
import {ConfigError} from "../errors.ts";
import {resolveArtifactFor} from "./resolve.ts";
import {trackingOf} from "./trackingPath.ts";
import {withProject} from "./withProject.ts";

/**
 * Resolves `check.drift.artifact` (an earlier artifact as the drift reference) to its file in the
 * store, through the tracking database, when a run or a status starts; returns the config with
 * `reference_path` set, or the config unchanged when it has no such reference.
 */
export async function resolveDriftArtifact(loaded: LoadedConfig, root: string): Promise<LoadedConfig> {
  const drift = loaded.config.check?.drift;
  if (!drift?.artifact) return loaded;
  const ref = drift.artifact;
  const row = await withProject(trackingOf(loaded, root), (tx) =>
    resolveArtifactFor(tx, ref, loaded.config.name)
  );
  const file = join(root, "store", row.step, row.key, `${row.output}.parquet`);
  if (row.type !== "dataset")
    throw new ConfigError(
      `invalid check.drift.artifact: ${ref} is ${row.name}:v${row.version}, a ${row.type}, not a dataset`
    );
  if (!existsSync(file))
    throw new ConfigError(
      `invalid check.drift.artifact: ${ref} is ${row.name}:v${row.version}, whose store entry gc collected`
    );
  const check = {
    ...loaded.config.check!,
    drift: {...drift, reference_path: file, format: "parquet" as const}
  };
  return {...loaded, config: {...loaded.config, check}};
}
