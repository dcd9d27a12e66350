import {mkdir, readdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {RunRecord} from "./runRecord.ts";

/**
 * Runs wait in `<root>/runs/<id>.json` until they are in the database: written before the database
 * is opened, removed after the commit. A run whose database write failed (a lock held too long) is
 * still there and is written by the next run or tracking command — never lost.
 */
export async function writePending(root: string, record: RunRecord): Promise<string> {
  const dir = join(root, "runs");
  await mkdir(dir, {recursive: true});
  const file = join(dir, `${record.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(record));
  await rename(tmp, file);
  return file;
}

export interface Pending {
  file: string;
  record: RunRecord;
}

/** Pending runs, oldest first (ids start with their time). Unreadable files are skipped, not fatal. */
export async function readPending(root: string): Promise<Pending[]> {
  const dir = join(root, "runs");
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Pending[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const file = join(dir, name);
    try {
      out.push({file, record: JSON.parse(await readFile(file, "utf8")) as RunRecord});
    } catch {
      // Another process may have just written and removed it; a torn file never exists (rename).
    }
  }
  return out;
}

export async function removePending(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, {force: true});
}
