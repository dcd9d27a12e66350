import {mkdir, readdir, readFile, rename, rm, stat, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {alive} from "./alive.ts";
import {statStamp} from "./fileStamp.ts";
import {hashFile} from "./hash.ts";

/** What an entry holds besides its files: row counts, timings, notes. */
export interface EntryMeta {
  step: string;
  key: string;
  /** Rows per table output. */
  tables: Record<string, number>;
  /** Names of JSON outputs. */
  json: string[];
  /** Names of raw file outputs (a download). */
  raw?: string[];
  durationMs: number;
  createdAt: string;
}

export interface Manifest extends EntryMeta {
  files: Record<string, {sha256: string; bytes: number}>;
}

export interface Entry {
  dir: string;
  manifest: Manifest;
}

export type Lookup = {status: "ok"; entry: Entry} | {status: "missing"} | {status: "corrupt"; reason: string};

/**
 * A folder of immutable entries, `<root>/store/<step>/<key>/`. An entry is written into a temp
 * folder and renamed into place, with a manifest of checksums last; a lookup verifies every file,
 * so a corrupted or half-written entry reads as corrupt and is rebuilt, never used.
 */
export class Store {
  constructor(readonly root: string) {}

  dir(step: string, key: string): string {
    return join(this.root, "store", step, key);
  }

  /** The entry if every file matches its manifest; `rehash` hashes them whatever their stamp says. */
  async lookup(step: string, key: string, {rehash = false} = {}): Promise<Lookup> {
    const dir = this.dir(step, key);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {status: "missing"};
      return {status: "corrupt", reason: "unreadable manifest"};
    }
    // Hashing a 3-million-row table on every fresh run costs seconds, so a verified entry keeps a
    // stamp of its files' size, mtime, change time and inode (statStamp): any write to a file (a
    // flipped byte included) changes the stamp and the files are hashed again.
    const stamps: string[] = [];
    for (const [name, {bytes}] of Object.entries(manifest.files)) {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info?.size !== bytes) {
        return {
          status: "corrupt",
          reason: `${name} has ${info ? `${info.size} bytes, expected ${bytes}` : "gone"}`
        };
      }
      stamps.push(`${name}:${statStamp(info)}`);
    }
    const stamp = stamps.join("\n");
    const verified = join(dir, ".verified");
    if (rehash || (await readFile(verified, "utf8").catch(() => "")) !== stamp) {
      for (const [name, {sha256}] of Object.entries(manifest.files)) {
        if ((await hashFile(join(dir, name))) !== sha256)
          return {status: "corrupt", reason: `${name} fails its checksum`};
      }
      const tmp = `${verified}.${process.pid}.tmp`;
      await writeFile(tmp, stamp)
        .then(() => rename(tmp, verified))
        .catch(() => undefined);
    }
    return {status: "ok", entry: {dir, manifest}};
  }

  /** A fresh temp folder to write an entry's files into, then pass to `commit`. */
  async scratch(): Promise<string> {
    const dir = join(
      this.root,
      "tmp",
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
    );
    await mkdir(dir, {recursive: true});
    return dir;
  }

  /** Checksums the files in `tmp`, writes the manifest, and renames the folder into place. */
  async commit(tmp: string, meta: EntryMeta): Promise<Entry> {
    const files: Manifest["files"] = {};
    for (const name of (await readdir(tmp)).sort()) {
      const file = join(tmp, name);
      files[name] = {sha256: await hashFile(file), bytes: (await stat(file)).size};
    }
    const manifest: Manifest = {...meta, files};
    await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
    const dir = this.dir(meta.step, meta.key);
    await mkdir(join(this.root, "store", meta.step), {recursive: true});
    // A corrupt entry in the way is moved aside first; a valid one (another process won the race) is kept.
    const existing = await this.lookup(meta.step, meta.key);
    if (existing.status === "ok") {
      await rm(tmp, {recursive: true, force: true});
      return existing.entry;
    }
    if (existing.status === "corrupt") await this.discard(meta.step, meta.key);
    try {
      await rename(tmp, dir);
    } catch (error) {
      const again = await this.lookup(meta.step, meta.key);
      if (again.status !== "ok") throw error;
      await rm(tmp, {recursive: true, force: true});
      return again.entry;
    }
    return {dir, manifest};
  }

  /** Moves an entry out of the way (to tmp, then deletes it), so readers never see it half gone. */
  async discard(step: string, key: string): Promise<void> {
    const trash = join(
      this.root,
      "tmp",
      `trash-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
    );
    await mkdir(join(this.root, "tmp"), {recursive: true});
    await rename(this.dir(step, key), trash).catch(() => undefined);
    await rm(trash, {recursive: true, force: true});
  }

  /**
   * Hashes every file of every entry again, whatever its stamp says (`mlbook verify`): the
   * entries whose files fail their manifest, with why. With `fix`, those are discarded, so the
   * next run rebuilds them.
   */
  async verifyAll(
    fix = false
  ): Promise<{checked: number; corrupt: {step: string; key: string; reason: string}[]}> {
    const corrupt: {step: string; key: string; reason: string}[] = [];
    let checked = 0;
    const store = join(this.root, "store");
    for (const step of (await readdir(store).catch(() => [] as string[])).sort()) {
      for (const key of (await readdir(join(store, step)).catch(() => [] as string[])).sort()) {
        checked += 1;
        const found = await this.lookup(step, key, {rehash: true});
        if (found.status === "ok") continue;
        corrupt.push({step, key, reason: found.status === "missing" ? "no manifest.json" : found.reason});
        if (fix) await this.discard(step, key);
      }
    }
    return {checked, corrupt};
  }

  /**
   * Removes the scratch folders (entries being written, trash, gc's) of processes that are gone —
   * a run or sweep worker killed mid-write leaves them behind. A folder is named after its
   * process's pid; one whose process lives (or whose pid now names another process) is kept.
   */
  async removeDeadScratch(): Promise<string[]> {
    const tmp = join(this.root, "tmp");
    const removed: string[] = [];
    for (const name of await readdir(tmp).catch(() => [] as string[])) {
      const pid = Number(/^(?:trash-|gc-)?(\d+)-/.exec(name)?.[1]);
      if (!pid || pid === process.pid || alive(pid)) continue;
      await rm(join(tmp, name), {recursive: true, force: true}).catch(() => undefined);
      removed.push(name);
    }
    return removed;
  }

  async abandon(tmp: string): Promise<void> {
    await rm(tmp, {recursive: true, force: true});
  }
}
