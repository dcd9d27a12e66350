import {join, resolve, dirname} from "node:path";
import {fileURLToPath} from "node:url";
import {copyOfRepo} from "../test/helpers/project.ts";
import {measure} from "./measure.ts";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A copy of this repository with every pipeline and an empty store, its bundle built (not timed). */
export function projectCopy(): string {
  const dir = copyOfRepo({pipelines: true});
  const bundled = measure(process.execPath, [join(dir, "bin", "bundle.js")], {cwd: dir});
  if (bundled.status !== 0) throw new Error(bundled.stderr);
  return dir;
}
