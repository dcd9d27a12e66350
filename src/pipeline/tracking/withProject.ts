import {bindTracking} from "./bindTracking.ts";
import {existsSync} from "node:fs";
import {appendHistory, historyDir} from "./history.ts";
import {ingestRuns} from "./ingestRun.ts";
import {readPending, removePending} from "./journal.ts";
import {withTracking, type OpenOptions} from "./open.ts";
import type {Tracking, TrackingTx} from "./trackingTx.ts";

const warnedLost = new Set<string>();

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
  if (!existsSync(tracking.path) && existsSync(historyDir(tracking.root)) && !warnedLost.has(tracking.path)) {
    warnedLost.add(tracking.path);
    process.stderr.write(
      `warning: the tracking database ${tracking.path} is missing but ${historyDir(tracking.root)} holds its history: \`mlbook tracking rebuild\` makes it again\n`
    );
  }
  const result = await withTracking(
    tracking.path,
    async (tx) => {
      const ingested = await ingestRuns(
        tx,
        pending.map((p) => p.record)
      );
      // Into the history before the commit: a database rebuilt from it has every run this one has.
      await appendHistory(
        tracking.root,
        pending.filter((_, i) => ingested[i].inserted).map((p) => ({kind: "run", record: p.record}))
      );
      return fn(tx);
    },
    options
  );
  await removePending(pending.map((p) => p.file));
  return result;
}
