import {bindTracking} from "./bindTracking.ts";
import {existsSync} from "node:fs";
import {appendHistory, historyDir} from "./history.ts";
import {ingestRuns} from "./ingestRun.ts";
import {readPending, rejectPending, removePending, type Pending} from "./journal.ts";
import {TransientError} from "../errors.ts";
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
  const ingest = async (tx: TrackingTx, batch: readonly Pending[]) => {
    const ingested = await ingestRuns(
      tx,
      batch.map((p) => p.record)
    );
    // Into the history before the commit: a database rebuilt from it has every run this one has.
    await appendHistory(
      tracking.root,
      batch.filter((_, i) => ingested[i].inserted).map((p) => ({kind: "run", record: p.record}))
    );
  };
  let result: T;
  try {
    result = await withTracking(
      tracking.path,
      async (tx) => {
        await ingest(tx, pending);
        return fn(tx);
      },
      options
    );
  } catch (error) {
    // A record of the right shape that the database still refuses (a value it cannot convert)
    // must not stop every tracking command: each is tried alone, the refused ones are moved aside,
    // and the rest go on. Nothing refused: the error was not theirs.
    if (error instanceof TransientError || !pending.length) throw error;
    // A database that fails with no record at all (a migration it cannot make, a broken file)
    // is not the records' fault: they stay in the journal.
    await withTracking(tracking.path, async () => undefined, options).catch(() => {
      throw error;
    });
    let refused = 0;
    for (const p of pending) {
      try {
        await withTracking(tracking.path, (tx) => ingest(tx, [p]), options);
        await removePending([p.file]);
      } catch (alone) {
        if (alone instanceof TransientError) throw alone;
        refused += 1;
        await rejectPending(p.file, `was refused by the tracking database (${firstLine(alone)})`);
      }
    }
    if (!refused) throw error;
    return withProject(tracking, fn, options);
  }
  await removePending(pending.map((p) => p.file));
  return result;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
