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

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
