import {mkdir, readdir, rename, rm, stat} from "node:fs/promises";
import {join} from "node:path";
import {leasedEntries, withGcLock} from "../engine/lease.ts";
import {Store} from "../engine/store.ts";
import {appendHistory} from "./history.ts";
import type {TrackingTx} from "./trackingTx.ts";

export interface GcOptions {
  /** Keep only the newest N runs (older runs are deleted from the database); default: keep all. */
  keepRuns?: number;
  dryRun?: boolean;
}

export interface GcResult {
  runsDeleted: number;
  entries: {step: string; key: string; bytes: number}[];
  bytes: number;
  dryRun: boolean;
}

/**
 * Deletes store entries nothing kept references. Kept: the newest `keepRuns` runs (all by default)
 * and every entry they used, every artifact version with an alias or a registered model, and the
 * versions kept runs produced. Versions whose entry goes stay in the database (their numbers are
 * never reused) marked collected; computing that content again revives them.
 */
export async function gc(tx: TrackingTx, storeRoot: string, options: GcOptions = {}): Promise<GcResult> {
  const dryRun = options.dryRun ?? false;
  const runs = await tx.rows<{id: string}>("SELECT id FROM runs ORDER BY started_at DESC, id DESC");
  const dropped = options.keepRuns === undefined ? [] : runs.slice(options.keepRuns).map((r) => r.id);
  if (!dryRun && dropped.length) {
    await deleteRuns(tx, dropped);
    await appendHistory(storeRoot, [{kind: "runs_deleted", ids: dropped}]);
  }
  const exclude = dropped.length ? `AND run_id NOT IN (${dropped.map(() => "?").join(", ")})` : "";
  const kept = await tx.rows<{step: string; key: string}>(
    `SELECT step, key FROM run_steps WHERE true ${exclude}
     UNION SELECT a.step, a.key FROM artifacts a WHERE a.collected_at IS NULL AND (
       EXISTS (SELECT 1 FROM aliases l WHERE l.name = a.name AND l.version = a.version)
       OR EXISTS (SELECT 1 FROM models m WHERE m.artifact_name = a.name AND m.artifact_version = a.version)
       OR EXISTS (SELECT 1 FROM run_artifacts r WHERE r.name = a.name AND r.version = a.version ${exclude}))`,
    [...dropped, ...dropped]
  );
  const keep = new Set(kept.map((k) => `${k.step}/${k.key}`));
  const collect = async (): Promise<GcResult["entries"]> => {
    // Entries a live run has leased (reads or writes) are in use, whatever the database says.
    const leased = await leasedEntries(storeRoot);
    const entries: GcResult["entries"] = [];
    const store = join(storeRoot, "store");
    for (const step of await readdir(store).catch(() => [] as string[])) {
      for (const key of await readdir(join(store, step)).catch(() => [] as string[])) {
        if (keep.has(`${step}/${key}`) || leased.has(`${step}/${key}`)) continue;
        entries.push({step, key, bytes: await folderBytes(join(store, step, key))});
      }
    }
    if (dryRun) return entries;
    for (const e of entries) {
      await tx.run(
        "UPDATE artifacts SET collected_at = now()::TIMESTAMP WHERE step = ? AND key = ? AND collected_at IS NULL",
        [e.step, e.key]
      );
      // Renamed away first, so a reader never sees half an entry.
      const trash = join(storeRoot, "tmp", `gc-${process.pid}-${e.key}`);
      await rm(trash, {recursive: true, force: true});
      await mkdir(join(storeRoot, "tmp"), {recursive: true});
      await rename(join(store, e.step, e.key), trash);
      await rm(trash, {recursive: true, force: true});
    }
    return entries;
  };
  // Runs starting meanwhile wait for the lock before they look any entry up (lease.ts).
  const entries = dryRun ? await collect() : await withGcLock(storeRoot, collect);
  // Scratch folders of processes that are gone (killed runs, sweep workers) go too.
  if (!dryRun) await new Store(storeRoot).removeDeadScratch();
  return {runsDeleted: dropped.length, entries, bytes: entries.reduce((s, e) => s + e.bytes, 0), dryRun};
}

/** Deletes runs and what only they own (their params, metrics, steps, produced versions' links). */
export async function deleteRuns(tx: TrackingTx, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await tx.run("CREATE TEMP TABLE gc_dropped (id VARCHAR)");
  await tx.run(`INSERT INTO gc_dropped VALUES ${ids.map(() => "(?)").join(", ")}`, ids);
  for (const table of ["params", "metrics", "run_steps", "run_artifacts", "resolutions"]) {
    await tx.run(`DELETE FROM ${table} WHERE run_id IN (SELECT id FROM gc_dropped)`);
  }
  await tx.run("DELETE FROM runs WHERE id IN (SELECT id FROM gc_dropped)");
  await tx.run("DROP TABLE gc_dropped");
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await folderBytes(path) : (await stat(path)).size;
  }
  return total;
}
