import {randomBytes} from "node:crypto";
import {mkdir, readdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {alive} from "./alive.ts";
import {lockHolder, withFileLock} from "./fileLock.ts";

/**
 * Leases keep `mlbook gc` off the entries a live run reads and writes. A run writes its lease
 * (`<root>/leases/<pid>-<id>.json`: the step/key of every entry it will touch) before it looks
 * any entry up, then waits while a gc holds `<root>/gc.lock`; gc takes that lock, reads the leases
 * of live processes, and deletes only entries none of them names. Either the lease was written
 * before gc read the leases (gc skips the entries), or the run waited for gc to finish before it
 * looked anything up (and rebuilds what gc took). A dead process's lease or lock counts for nothing.
 */
export async function takeLease(
  root: string,
  entries: readonly string[],
  options: {pollMs?: number; waitMs?: number} = {}
): Promise<() => Promise<void>> {
  const dir = join(root, "leases");
  await mkdir(dir, {recursive: true});
  const file = join(dir, `${process.pid}-${randomBytes(4).toString("hex")}.json`);
  await writeFile(`${file}.tmp`, JSON.stringify({pid: process.pid, entries}));
  await rename(`${file}.tmp`, file);
  const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
  const gcLock = join(root, "gc.lock");
  for (let holder = await lockHolder(gcLock); holder; holder = await lockHolder(gcLock)) {
    if (Date.now() > deadline) {
      await rm(file, {force: true});
      throw new Error(
        `mlbook gc (pid ${holder}) has held ${join(root, "gc.lock")} for too long: this run stops rather than wait on (end that gc, or remove the lock if no gc runs)`
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  return () => rm(file, {force: true});
}

/** The entries (`step/key`) leased by live processes; dead processes' lease files are removed. */
export async function leasedEntries(root: string): Promise<Set<string>> {
  const dir = join(root, "leases");
  const leased = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith(".json")) continue;
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!pid || !alive(pid)) {
      await rm(join(dir, name), {force: true});
      continue;
    }
    try {
      const {entries} = JSON.parse(await readFile(join(dir, name), "utf8")) as {entries: string[]};
      for (const e of entries) leased.add(e);
    } catch {
      // Released between the listing and the read.
    }
  }
  return leased;
}

/** Runs `fn` holding the store's gc lock (refused while another live gc holds it). */
export async function withGcLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(join(root, "gc.lock"), fn, {
    wait: false,
    busy: (pid) =>
      new Error(`another mlbook gc (pid ${pid}) is collecting this store; try again when it ends`)
  });
}
