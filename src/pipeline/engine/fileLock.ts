import {link, mkdir, readFile, rm, writeFile} from "node:fs/promises";
import {dirname} from "node:path";
import {alive} from "./alive.ts";

export interface FileLockOptions {
  /** When a live process holds the lock: wait for it (true), or throw `busy(pid)` (false). */
  wait: boolean;
  busy?: (pid: number) => Error;
  pollMs?: number;
  /** Longest wait before `busy(pid)` is thrown (default 30 min). */
  waitMs?: number;
}

/**
 * Runs `fn` holding a lock file (created exclusively, holding the pid). A lock left by a process
 * that is gone counts for nothing: it is removed and taken.
 */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: FileLockOptions
): Promise<T> {
  await mkdir(dirname(file), {recursive: true});
  const busy = options.busy ?? ((pid: number) => new Error(`${file} is held by process ${pid}`));
  const deadline = Date.now() + (options.waitMs ?? 30 * 60_000);
  // Written whole beside it, then linked into place: link fails if the lock exists, and no
  // reader ever sees a lock file without its pid (which it would take for a dead holder's).
  const mine = `${file}.${process.pid}.tmp`;
  await writeFile(mine, String(process.pid));
  for (;;) {
    try {
      await link(mine, file);
      await rm(mine, {force: true});
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        await rm(mine, {force: true});
        throw error;
      }
      const holder = await lockHolder(file);
      if (!holder) {
        await rm(file, {force: true}); // left by a process that died
        continue;
      }
      if (!options.wait || Date.now() > deadline) {
        await rm(mine, {force: true});
        throw busy(holder);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, {force: true});
  }
}

/** The pid of the live process holding the lock file, else null. */
export async function lockHolder(file: string): Promise<number | null> {
  const pid = Number(await readFile(file, "utf8").catch(() => ""));
  return pid && alive(pid) ? pid : null;
}
