import {existsSync} from "node:fs";
import {mkdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import type {PlanCache} from "../loaders/planOf.ts";
import {loaderFingerprint, type LoaderFingerprint} from "./fingerprint.ts";
import type {LoaderFile} from "./loaders.ts";

type Recorded = Partial<LoaderFingerprint> & {fingerprint: string; keys: Record<string, string>};

export interface LoaderState extends LoaderFingerprint {
  loader: LoaderFile;
  /** Null when Framework's cached output is still right; otherwise why it must be made again. */
  stale: string | null;
}

function recordPath(projectRoot: string): string {
  return join(projectRoot, ".mlbook", "site", "loaders.json");
}

async function readRecord(projectRoot: string): Promise<Record<string, Recorded>> {
  try {
    return JSON.parse(await readFile(recordPath(projectRoot), "utf8")) as Record<string, Recorded>;
  } catch {
    return {};
  }
}

/** Compares every loader's fingerprint with the one its cached output was made from. */
export async function loaderStates(projectRoot: string, loaders: LoaderFile[]): Promise<LoaderState[]> {
  const recorded = await readRecord(projectRoot);
  const out: LoaderState[] = [];
  const plans: PlanCache = new Map();
  for (const loader of loaders) {
    const now = await loaderFingerprint(projectRoot, loader, plans);
    const before = recorded[loader.target];
    let stale: string | null = null;
    if (!existsSync(loader.cache)) stale = "no cached output";
    else if (now.recorded !== undefined) stale = now.recorded;
    else if (!before) stale = "cached output of unknown origin";
    else if (before.fingerprint !== now.fingerprint) stale = staleReason(before, now);
    out.push({loader, ...now, stale});
  }
  return out;
}

/** Says what changed between the fingerprint an output was made from and the current one. */
function staleReason(before: Recorded, now: LoaderFingerprint): string {
  const reasons: string[] = [];
  const changed = Object.keys(now.keys).filter((k) => now.keys[k] !== before.keys[k]);
  if (changed.length) reasons.push(`step ${changed.join(", ")} changed`);
  if (before.code !== undefined && before.code !== now.code) reasons.push("loader code changed");
  if (before.config !== undefined && before.config !== now.config) reasons.push("config changed");
  if (before.tracking !== undefined && before.tracking !== now.tracking)
    reasons.push("tracked runs, registry or monitored batches changed");
  return reasons.length ? reasons.join("; ") : "inputs changed";
}

/** Deletes the cached output of each stale loader, so Framework runs exactly those again. */
export async function invalidate(states: LoaderState[]): Promise<void> {
  for (const s of states) if (s.stale) await rm(s.loader.cache, {force: true});
}

/** Records the fingerprints the current cached outputs were made from. */
export async function recordFingerprints(projectRoot: string, states: LoaderState[]): Promise<void> {
  const recorded = await readRecord(projectRoot);
  for (const s of states)
    recorded[s.loader.target] = {
      fingerprint: s.fingerprint,
      keys: s.keys,
      code: s.code,
      config: s.config,
      tracking: s.tracking
    };
  const file = recordPath(projectRoot);
  await mkdir(dirname(file), {recursive: true});
  await writeFile(`${file}.tmp`, JSON.stringify(recorded, null, 2));
  await rename(`${file}.tmp`, file);
}
