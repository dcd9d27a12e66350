import type {LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/**
 * A digest of what a loader shows from tracking: the runs recorded for the pipeline (their ids,
 * so a new or deleted run shows), the registry (model versions and both kinds of alias), or the
 * batches monitored against its models.
 * Opening the database writes journaled runs into it first, as every tracking reader does.
 */
export async function trackingDigest(
  loaded: LoadedConfig,
  kind: "runs" | "registry" | "monitor"
): Promise<string> {
  return withProject(projectTracking(loaded.path), async (tx) => {
    if (kind === "runs") {
      const rows = await tx.rows(
        "SELECT count(*)::INTEGER AS n, max(id) AS last, string_agg(id, ',' ORDER BY id) AS ids FROM runs WHERE pipeline = ?",
        [loaded.config.name]
      );
      return hashValue(rows);
    }
    if (kind === "monitor") {
      const rows = await tx.rows(
        "SELECT string_agg(id, ',' ORDER BY id) AS ids FROM monitor_batches WHERE pipeline = ?",
        [loaded.config.name]
      );
      return hashValue(rows);
    }
    const models = await tx.rows("SELECT * FROM models ORDER BY ALL");
    const modelAliases = await tx.rows("SELECT name, alias, version FROM model_aliases ORDER BY ALL");
    const aliases = await tx.rows("SELECT name, alias, version FROM aliases ORDER BY ALL");
    return hashValue({models, modelAliases, aliases});
  });
}
