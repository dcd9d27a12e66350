import {readdirSync, statSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * The esbuild bundle's entry `lib/<name>.js` (bin/bundle.js), when the bundle is at least as new
 * as every source file; else undefined, and callers run the TypeScript source through tsx.
 * Worker processes and threads start from the bundle in a fraction of tsx's time. bin/mlbook.js
 * rebuilds the bundle before the CLI runs, so under the CLI it is fresh. MLBOOK_NO_BUNDLE=1 runs
 * the sources, as it does for the CLI. The bundle replaces import.meta.url with each module's
 * source URL, so the repository root is found from this file's source location either way.
 */
export function bundledEntry(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MLBOOK_NO_BUNDLE === "1") return undefined;
  const path = join(root, "lib", `${name}.js`);
  try {
    return statSync(path).mtimeMs >= newest(join(root, "src")) ? path : undefined;
  } catch {
    return undefined; // no bundle (or no sources to compare with)
  }
}

/** Set by bin/bundle.js (esbuild's define) in the bundled engine; undefined in the sources. */
declare const __MLBOOK_BUNDLED__: boolean | undefined;
declare const __MLBOOK_BUNDLED_AT__: number | undefined;

/** Whether this process runs the bundle (lib/) rather than the TypeScript sources. */
export function runsBundle(): boolean {
  return typeof __MLBOOK_BUNDLED__ !== "undefined" && __MLBOOK_BUNDLED__;
}

/**
 * When this process runs a bundle built before some source last changed: the code running is
 * not the code the step keys (digests of the sources) describe, so what it computed must not be
 * stored or shown. Null when it runs the sources or a bundle at least as new as every source.
 */
export function staleBundleError(): string | null {
  if (!runsBundle() || typeof __MLBOOK_BUNDLED_AT__ === "undefined") return null;
  let latest = 0;
  try {
    latest = newest(join(root, "src"));
  } catch {
    return null; // a package without its sources: the bundle is all there is
  }
  return latest > __MLBOOK_BUNDLED_AT__
    ? `mlbook's sources (${join(root, "src")}) changed after its bundle (${join(root, "lib")}) was built: ` +
        "run this through mlbook dev or mlbook build (or any mlbook command), which rebuild it"
    : null;
}

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
