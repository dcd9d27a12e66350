// A fully fresh `mlbook run` of the default pipeline: the cost of checking that nothing changed,
// through `node bin/mlbook.js` and through `npx mlbook` (npm's own start-up included), side by side.
import {cpSync, mkdtempSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {measure} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-fresh-"));
// A project folder: the config and the workspace step it names, and node_modules (the repo's, so
// `npx mlbook` finds the repo's CLI, the same one `node <repo>/bin/mlbook.js` runs).
for (const name of ["mlbook.yaml", "package.json", "steps"])
  cpSync(join(repo, name), join(dir, name), {recursive: true});
symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
const cli = join(repo, "bin", "mlbook.js");
const first = measure(process.execPath, [cli, "run"], {cwd: dir});
if (first.status !== 0) throw new Error(first.stderr);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs: number[]) => Math.min(...xs);
const runs = {node: [] as number[], npx: [] as number[], full: [] as number[], npxStart: [] as number[]};
for (let i = 0; i < 7; ++i) {
  runs.node.push(measure(process.execPath, [cli, "run"], {cwd: dir}).seconds);
  const npx = measure("npx", ["mlbook", "run"], {cwd: dir});
  if (npx.status !== 0 || !/fresh/.test(npx.stdout)) throw new Error(`npx mlbook run failed:\n${npx.stderr}`);
  runs.npx.push(npx.seconds);
  runs.full.push(
    measure(process.execPath, [cli, "run"], {cwd: dir, env: {...process.env, MLBOOK_NO_RECEIPT: "1"}}).seconds
  );
  runs.npxStart.push(measure("npx", ["--no-install", "prettier", "--version"], {cwd: repo}).seconds);
}
const bare = measure(process.execPath, ["-e", "0"]).seconds;
console.log(
  `first run ${first.seconds.toFixed(2)} s; all-fresh re-runs (7 each, interleaved), median / best:`
);
const line = (label: string, xs: number[]) =>
  console.log(`  ${label.padEnd(44)} ${median(xs).toFixed(2)} s / ${best(xs).toFixed(2)} s`);
line("npx mlbook run (target ≤ 1 s)", runs.npx);
line("node bin/mlbook.js run (receipt replayed)", runs.node);
line("node bin/mlbook.js run (MLBOOK_NO_RECEIPT=1)", runs.full);
line("npx prettier --version (npm's exec overhead)", runs.npxStart);
console.log(`  bare node start ${bare.toFixed(2)} s`);
