import {hashValue} from "../engine/hash.ts";
import type {TrackingTx} from "./trackingTx.ts";

/** What a page shows from the tracking database: runs, the model registry, or monitored batches. */
export type TrackingKind = "runs" | "registry" | "monitor";

/**
 * A digest of one kind of tracked record of a pipeline: its runs (their ids, so a new or deleted
 * run shows), the registry (model versions and both kinds of alias, every pipeline's), or the
 * batches monitored against its models. Equal digests, equal records.
 */
export async function trackedDigest(tx: TrackingTx, kind: TrackingKind, pipeline: string): Promise<string> {
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
