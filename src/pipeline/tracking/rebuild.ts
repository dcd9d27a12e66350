import {existsSync} from "node:fs";
import {rename, rm} from "node:fs/promises";
import {join} from "node:path";
import {MlbookError} from "../errors.ts";
import {bindTracking} from "./bindTracking.ts";
import {deleteRuns} from "./gc.ts";
import {historyDir, readHistory, type HistoryEvent} from "./history.ts";
import {ingestRuns} from "./ingestRun.ts";
import {withTracking} from "./open.ts";
import {recordMonitorBatch} from "./recordMonitorBatch.ts";
import {recordSweepWinner} from "./recordSweepWinner.ts";
import {artifactKey, setAlias} from "./resolve.ts";
import type {RunRecord} from "./runRecord.ts";
import type {Tracking, TrackingTx} from "./trackingTx.ts";
import {withProject} from "./withProject.ts";

export interface RebuildResult {
  /** Events replayed, by kind. */
  replayed: Record<HistoryEvent["kind"], number>;
  /** Artifact versions whose store entry is gone (gc): marked collected, as gc had. */
  collected: number;
  /** History files that are not events, and events the new database refused, with why. */
  skipped: string[];
  /** Where the database that was replaced went (kept, never deleted), or null if there was none. */
  replaced: string | null;
}

/**
 * Makes the tracking database again from its history (history.ts) and the store: every run,
 * artifact version, lineage edge, registered model, alias and sweep winner, in the order the old
 * database took them, so versions get the same numbers. Built beside the old file and renamed into
 * place; the old file (lost, corrupt or not) is kept as `<file>.replaced-<time>`. Runs still in
 * the journal go in after, as with any tracking command.
 */
export async function rebuildTracking(tracking: Tracking): Promise<RebuildResult> {
  bindTracking(tracking);
  const history = await readHistory(tracking.root);
  if (!history.events.length)
    throw new MlbookError(
      `no history in ${historyDir(tracking.root)}: nothing to rebuild ${tracking.path} from` +
        (history.skipped.length ? ` (${history.skipped.length} unreadable files)` : "")
    );
  const fresh = `${tracking.path}.rebuild-${process.pid}`;
  await rm(fresh, {force: true});
  await rm(`${fresh}.wal`, {force: true});
  const replayed: RebuildResult["replayed"] = {
    run: 0,
    alias: 0,
    sweep_winner: 0,
    runs_deleted: 0,
    monitor_batch: 0
  };
  const skipped = [...history.skipped];
  let collected = 0;
  try {
    const legacy = new LegacyVersions();
    await withTracking(fresh, async (tx) => {
      const events = history.events;
      for (let i = 0; i < events.length;) {
        // Runs in a row go in together (ingestRuns writes them in order, as one by one would).
        let j = i;
        while (j < events.length && events[j].event.kind === "run") ++j;
        if (j > i) {
          const records = events
            .slice(i, j)
            .map((e) => (e.event as Extract<HistoryEvent, {kind: "run"}>).record);
          for (const record of records) legacy.note(record);
          await ingestRuns(tx, records);
          replayed.run += j - i;
          i = j;
          continue;
        }
        const {file, event} = events[i++];
        try {
          await replay(tx, await legacy.alias(tx, event));
          replayed[event.kind] += 1;
        } catch (error) {
          skipped.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      collected = await markCollected(tx, tracking.root);
    });
  } catch (error) {
    await rm(fresh, {force: true});
    await rm(`${fresh}.wal`, {force: true});
    throw error;
  }
  let replaced: string | null = null;
  if (existsSync(tracking.path)) {
    replaced = `${tracking.path}.replaced-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await rename(tracking.path, replaced);
    if (existsSync(`${tracking.path}.wal`)) await rename(`${tracking.path}.wal`, `${replaced}.wal`);
  }
  await rename(fresh, tracking.path);
  // The journal's runs (finished since, or waiting for a lock) go in as any tracking command takes them.
  await withProject(tracking, async () => undefined);
  return {replayed, collected, skipped, replaced};
}

/**
 * Versions as they were numbered before artifacts were named per pipeline: per bare name, across
 * every pipeline of the folder, a new one for each new content in the order runs came. An alias
 * set then names such a version (`model` v3); the same content is found under its pipeline's name.
 */
class LegacyVersions {
  private readonly byName = new Map<string, {name: string; digest: string}[]>();

  note(record: RunRecord): void {
    for (const a of record.artifacts) {
      if (a.name.includes("/")) continue;
      const versions = this.byName.get(a.name) ?? this.byName.set(a.name, []).get(a.name)!;
      if (!versions.some((v) => v.digest === a.digest))
        versions.push({name: artifactKey(a.name, record.pipeline), digest: a.digest});
    }
  }

  /** An artifact alias event of a bare name, with its name and version as tracked now. */
  async alias(tx: TrackingTx, event: HistoryEvent): Promise<HistoryEvent> {
    if (event.kind !== "alias" || event.target !== "artifact" || event.name.includes("/")) return event;
    const then = this.byName.get(event.name)?.[event.version - 1];
    if (!then) return event;
    const [now] = await tx.rows<{version: number}>(
      "SELECT version FROM artifacts WHERE name = ? AND digest = ? ORDER BY version LIMIT 1",
      [then.name, then.digest]
    );
    return now ? {...event, name: then.name, version: now.version} : event;
  }
}

async function replay(tx: TrackingTx, event: HistoryEvent): Promise<void> {
  switch (event.kind) {
    case "alias":
      return await setAlias(tx, event.target, event.name, event.version, event.alias);
    case "sweep_winner":
      return await recordSweepWinner(tx, event);
    case "runs_deleted":
      return await deleteRuns(tx, event.ids);
    case "monitor_batch":
      return await recordMonitorBatch(tx, event.batch);
    case "run":
      throw new Error("runs are replayed in batches");
  }
}

/** Versions whose entry is no longer in the store were collected by gc: say so, as gc did. */
async function markCollected(tx: TrackingTx, root: string): Promise<number> {
  const rows = await tx.rows<{step: string; key: string}>("SELECT DISTINCT step, key FROM artifacts");
  let n = 0;
  for (const r of rows) {
    if (existsSync(join(root, "store", r.step, r.key))) continue;
    await tx.run("UPDATE artifacts SET collected_at = now()::TIMESTAMP WHERE step = ? AND key = ?", [
      r.step,
      r.key
    ]);
    n += 1;
  }
  return n;
}
