// A fully fresh `mlbook run` of the default pipeline: the cost of checking that nothing changed.
import {cpSync, mkdtempSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {measure} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-fresh-"));
for (const name of ["bin", "src", "mlbook.yaml", "package.json"])
  cpSync(join(repo, name), join(dir, name), {recursive: true});
symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
const first = measure(process.execPath, ["bin/mlbook.js", "run"], {cwd: dir});
if (first.status !== 0) throw new Error(first.stderr);
const times: number[] = [];
for (let i = 0; i < 5; ++i)
  times.push(measure(process.execPath, ["bin/mlbook.js", "run"], {cwd: dir}).seconds);
const node = measure(process.execPath, ["-e", "0"]).seconds;
times.sort((a, b) => a - b);
console.log(
  `first run ${first.seconds.toFixed(2)} s; all-fresh re-run: median ${times[2].toFixed(2)} s, best ${times[0].toFixed(2)} s (bare node start ${node.toFixed(2)} s); target ≤ 1 s`
);
