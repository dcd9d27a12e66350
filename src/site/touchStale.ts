import {existsSync} from "node:fs";
import {utimes} from "node:fs/promises";
import {join} from "node:path";
import type {LoaderState} from "./invalidate.ts";

/**
 * Makes Framework's preview re-run exactly the stale loaders. Preview re-runs a loader whose file
 * is newer than its cached output, and watches the loader file to refresh open pages: so each
 * stale loader's file is touched, and the cached outputs it also makes for other pipelines that
 * are still right — and those `made` already (makeLoaderOutputs) — are touched after it, so they stay
 * newer and are not made again: the page refreshes with them.
 */
export async function touchStale(
  projectRoot: string,
  states: LoaderState[],
  made: ReadonlySet<LoaderState> = new Set()
): Promise<void> {
  const now = Date.now() / 1000;
  const staleFiles = new Set(states.filter((s) => s.stale).map((s) => s.loader.loader));
  for (const file of staleFiles) await utimes(join(projectRoot, "docs", file), now, now);
  for (const s of states) {
    if ((!s.stale || made.has(s)) && staleFiles.has(s.loader.loader) && existsSync(s.loader.cache))
      await utimes(s.loader.cache, now + 1, now + 1);
  }
}
