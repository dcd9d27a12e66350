import {cpSync, mkdtempSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {measure} from "./measure.ts";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A copy of this repository with every pipeline, an empty store and the bundle built (not timed),
 * its node_modules linked to this one's.
 */
export function projectCopy(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const name of [
    "bin",
    "src",
    "docs",
    "steps",
    "models",
    "conf",
    "pipelines",
    "mlbook.yaml",
    "package.json",
    "observablehq.config.ts"
  ])
    cpSync(join(repo, name), join(dir, name), {
      recursive: true,
      filter: (src) => !src.includes(".mlbook") && !src.includes(".observablehq")
    });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  const bundled = measure(process.execPath, [join(dir, "bin", "bundle.js")], {cwd: dir});
  if (bundled.status !== 0) throw new Error(bundled.stderr);
  return dir;
}
