import type {TrackingTx} from "../pipeline/tracking/trackingTx.ts";

/** The params of every tracked run of a pipeline, by run id. */
export async function runParams(
  tx: TrackingTx,
  pipeline: string
): Promise<Map<string, Record<string, unknown>>> {
  const params = await tx.rows<{run_id: string; key: string; value: string}>(
    "SELECT p.run_id, p.key, p.value FROM params p JOIN runs r ON r.id = p.run_id WHERE r.pipeline = ?",
    [pipeline]
  );
  const byRun = new Map<string, Record<string, unknown>>();
  for (const p of params)
    (byRun.get(p.run_id) ?? byRun.set(p.run_id, {}).get(p.run_id)!)[p.key] = JSON.parse(p.value) as unknown;
  return byRun;
}
