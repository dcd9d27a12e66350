// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after
// another, each in its own process so timings and peak memory do not mix.
import {spawnSync} from "node:child_process";
import {readdirSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, bench)], {stdio: "inherit"});
  if (result.status !== 0) {
    failed += 1;
    console.log(`${bench} exited with ${result.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
