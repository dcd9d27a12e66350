// The report's build costs (issue 17's figures), measured side by side in one run on copies of
// this repository with all four pipelines (flights on 3,000,000 rows), each with a cold store:
//   1. the pipelines alone: `mlbook run -c <config>` for each, one after another;
//   2. a cold `mlbook build` (the same pipelines, then every page loader, then Framework);
//   3. `mlbook build` again with nothing changed;
//   4. each page loader run by hand when its steps are fresh (what the live preview pays per page).
// Targets: 2 ≤ 1.2 × 1; 3 ≤ 10 s; each of 4 ≤ 0.5 s.
import {readdirSync, readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {measure} from "./measure.ts";
import {projectCopy, repo} from "./projectCopy.ts";

const copy = () => projectCopy();

function mlbook(dir: string, args: string[]) {
  const result = measure(process.execPath, [join(dir, "bin", "mlbook.js"), ...args], {cwd: dir});
  if (result.status !== 0) throw new Error(`mlbook ${args.join(" ")} failed:\n${result.stderr}`);
  return result;
}

// The data files are read once before anything is timed, so neither side pays the disk.
readFileSync(join(repo, "node_modules", "vega-datasets", "data", "flights-3m.parquet"));

const configs = [
  "mlbook.yaml",
  ...readdirSync(join(repo, "pipelines"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `pipelines/${f}`)
];
const alone = copy();
let pipelines = 0;
for (const config of configs) {
  const t = mlbook(alone, ["run", "-c", config]).seconds;
  console.log(`  mlbook run -c ${config.padEnd(22)} ${t.toFixed(1)} s`);
  pipelines += t;
}

const site = copy();
const cold = mlbook(site, ["build"]);
const loaderLines = [...cold.stdout.matchAll(/loader (\S+): made in (\d+) ms/g)];
const again = mlbook(site, ["build"]);
// The flights Data page on all 3,000,000 rows ships bins and a bounded sample (the site test
// checks the same on January's rows).
const edaFolder = join(site, "dist", "_file", "data", "flights");
const edaFile = readdirSync(edaFolder).find((f) => /^eda\.[0-9a-f]+\.json$/.test(f))!;
const edaText = readFileSync(join(edaFolder, edaFile), "utf8");
const edaRows = (JSON.parse(edaText) as {rows: number}).rows;

// Each loader by hand, as Framework's preview runs it (steps fresh, output discarded).
const loaders: {name: string; seconds: number}[] = [];
const docsData = join(site, "docs", "data");
const pipelineNames = ["penguins", ...configs.slice(1).map((c) => c.replace(/^pipelines\/|\.yaml$/g, ""))];
for (const file of readdirSync(join(docsData, "[pipeline]")).sort())
  for (const pipeline of pipelineNames) {
    const r = measure(process.execPath, [join(docsData, "[pipeline]", file), `--pipeline=${pipeline}`], {
      cwd: site
    });
    if (r.status !== 0) throw new Error(`${file} --pipeline=${pipeline} failed:\n${r.stderr}`);
    loaders.push({name: `${pipeline}/${file.replace(/\.js$/, "")}`, seconds: r.seconds});
  }
for (const file of readdirSync(docsData).filter((f) => f.endsWith(".js"))) {
  const r = measure(process.execPath, [join(docsData, file)], {cwd: site});
  if (r.status !== 0) throw new Error(`${file} failed:\n${r.stderr}`);
  loaders.push({name: file.replace(/\.js$/, ""), seconds: r.seconds});
}
loaders.sort((a, b) => b.seconds - a.seconds);
const median = loaders[Math.floor(loaders.length / 2)].seconds;
const over = loaders.filter((l) => l.seconds > 0.5);

const mark = (ok: boolean) => (ok ? "met" : "NOT met");
console.log(`pipelines alone (${configs.length} configs, cold store)   ${pipelines.toFixed(1)} s`);
console.log(
  `cold mlbook build                          ${cold.seconds.toFixed(1)} s = ${(cold.seconds / pipelines).toFixed(2)}× the pipelines alone (target ≤ 1.2×: ${mark(cold.seconds <= 1.2 * pipelines)}); ` +
    `${loaderLines.length} loaders made in the build, ${(loaderLines.reduce((s, m) => s + Number(m[2]), 0) / 1000).toFixed(1)} s summed`
);
console.log(
  `mlbook build, nothing changed             ${again.seconds.toFixed(1)} s (target ≤ 10 s: ${mark(again.seconds <= 10)})`
);
console.log(
  `a loader whose steps are fresh, by hand   median ${median.toFixed(2)} s, slowest ${loaders[0].name} ${loaders[0].seconds.toFixed(2)} s; ` +
    `${loaders.length - over.length} of ${loaders.length} ≤ 0.5 s (target: all)`
);
for (const l of over) console.log(`  over 0.5 s: ${l.name} ${l.seconds.toFixed(2)} s`);
console.log(
  `flights Data page: ${edaRows.toLocaleString("en-US")} rows shipped as ${(edaText.length / 1024).toFixed(0)} KiB ` +
    `(all rows, within 128 KiB: ${mark(edaRows > 2_900_000 && edaText.length <= 128 * 1024)})`
);
rmSync(alone, {recursive: true, force: true});
rmSync(site, {recursive: true, force: true});
