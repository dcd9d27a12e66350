import {bindTracking} from "./bindTracking.ts";
import {ingestRuns} from "./ingestRun.ts";
import {readPending, removePending} from "./journal.ts";
import {withTracking, type OpenOptions} from "./open.ts";
import type {Tracking, TrackingTx} from "./trackingTx.ts";

/**
 * Runs `fn` on the project's database after writing any runs still waiting in the journal, so
 * every reader sees every finished run. The store must belong to this database (bindTracking).
 */
export async function withProject<T>(
  tracking: Tracking,
  fn: (tx: TrackingTx) => Promise<T>,
  options?: OpenOptions
): Promise<T> {
  bindTracking(tracking);
  const pending = await readPending(tracking.root);
  const result = await withTracking(
    tracking.path,
    async (tx) => {
      await ingestRuns(
        tx,
        pending.map((p) => p.record)
      );
      return fn(tx);
    },
    options
  );
  await removePending(pending.map((p) => p.file));
  return result;
}
