import {mkdir, readdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {basename, dirname, join} from "node:path";
import type {RunRecord} from "./runRecord.ts";
import {runRecordSchema} from "./runRecordSchema.ts";

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

/**
 * Pending runs, oldest first (ids start with their time). A file that is not a run record (not
 * JSON, or not a record's shape: `{}`, `params: null`) would stop every tracking command; it is
 * moved aside to `runs/rejected/` with a warning naming it, and the others go on.
 */
export async function readPending(
  root: string,
  warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`)
): Promise<Pending[]> {
  const dir = join(root, "runs");
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Pending[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue; // another process has just written it to the database and removed it
    }
    let why: string;
    try {
      const parsed = runRecordSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        out.push({file, record: parsed.data as unknown as RunRecord});
        continue;
      }
      const issue = parsed.error.issues[0];
      why = `${issue.path.join(".") || "the record"}: ${issue.message}`;
    } catch (error) {
      // A torn file never exists (written by rename): this one was written by something else.
      why = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    await rejectPending(file, `is not a run record (${why})`, warn);
  }
  return out;
}

/** Moves a journal file tracking cannot take to `runs/rejected/`, with a warning naming it and why. */
export async function rejectPending(
  file: string,
  why: string,
  warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`)
): Promise<void> {
  const aside = join(dirname(file), "rejected", basename(file));
  await mkdir(dirname(aside), {recursive: true});
  await rename(file, aside).catch(() => undefined);
  warn(`${file} ${why}: moved to ${aside}; tracking goes on without it`);
}

export async function removePending(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, {force: true});
}
