import type {LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import type {TrackingTx} from "../pipeline/tracking/trackingTx.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import type {TrackingKind} from "./loaderReads.ts";

/**
 * A digest of what a loader shows from tracking: the runs recorded for the pipeline (their ids,
 * so a new or deleted run shows), the registry (model versions and both kinds of alias), or the
 * batches monitored against its models.
 * Opening the database writes journaled runs into it first, as every tracking reader does.
 */
export async function trackingDigest(loaded: LoadedConfig, kinds: readonly TrackingKind[]): Promise<string> {
  return withProject(projectTracking(loaded.path), async (tx) => {
    const digests: string[] = [];
    for (const kind of kinds) digests.push(await digestOf(tx, kind, loaded.config.name));
    // One kind's digest is that kind's own: a page showing one keeps the digest it always had.
    return digests.length === 1 ? digests[0] : hashValue(digests);
  });
}

async function digestOf(tx: TrackingTx, kind: TrackingKind, pipeline: string): Promise<string> {
  if (kind === "runs") {
    const rows = await tx.rows(
      "SELECT count(*)::INTEGER AS n, max(id) AS last, string_agg(id, ',' ORDER BY id) AS ids FROM runs WHERE pipeline = ?",
      [pipeline]
    );
    return hashValue(rows);
  }
  if (kind === "monitor") {
    const rows = await tx.rows(
      "SELECT string_agg(id, ',' ORDER BY id) AS ids FROM monitor_batches WHERE pipeline = ?",
      [pipeline]
    );
    return hashValue(rows);
  }
  const models = await tx.rows("SELECT * FROM models ORDER BY ALL");
  const modelAliases = await tx.rows("SELECT name, alias, version FROM model_aliases ORDER BY ALL");
  const aliases = await tx.rows("SELECT name, alias, version FROM aliases ORDER BY ALL");
  return hashValue({models, modelAliases, aliases});
}
