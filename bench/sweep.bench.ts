/**
 * A 12-job penguins sweep with --jobs 1 and --jobs 2, each in a fresh project (empty store), timed
 * side by side; prints the speedup (target ≥ 1.7× on 2 cores) and checks both give identical
 * metrics. The sweep first; then the same sweep with 5-fold cross-validation in each job,
 * so the jobs' own work outweighs the sweep's fixed cost (start, shared steps, tracking), which
 * shows how the runner scales when there is work to share. The sum of the jobs' own durations is
 * printed beside each wall time. No sklearn column: this compares mlbook's runner with itself.
 * Run: npx tsx bench/sweep.bench.ts
 */
import {spawn} from "node:child_process";
import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const penguins = join(repo, "node_modules/vega-datasets/data/penguins.json");
// The example: 3 forest sizes × 4 max_features values.
const overrides = [
  "model.type=random_forest",
  "model.params.n_estimators=50,100,200",
  "model.params.max_features=range(1,5)"
];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-sweep-bench-"));
  writeFileSync(
    join(dir, "mlbook.yaml"),
    `name: penguins\ndata:\n  source: ${penguins}\n  target: Species\nclean:\n  na_values: ["."]\nsplit:\n  test_size: 0.2\n  seed: 42\nmodel:\n  type: logistic_regression\n`
  );
  return dir;
}

interface Sweep {
  jobs: {overrides: string[]; status: string; durationMs: number; metrics: Record<string, number>}[];
}

function sweep(jobs: number, extra: string[] = []): Promise<{ms: number; json: Sweep}> {
  const cwd = project();
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn(
      process.execPath,
      [join(repo, "bin/mlbook.js"), "run", "-m", ...overrides, ...extra, "--jobs", String(jobs), "--json"],
      {cwd, stdio: ["ignore", "pipe", "inherit"]}
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) =>
      code === 0
        ? ok({ms: performance.now() - t0, json: JSON.parse(out) as Sweep})
        : fail(new Error(`exit ${code}`))
    );
  });
}

let failed = false;
for (const [title, extra] of [
  ["the issue's sweep", []],
  ["the same sweep with 5-fold CV in each job", ["++evaluate.cv={folds: 5, seed: 0}"]]
] as const) {
  const one = await sweep(1, [...extra]);
  const two = await sweep(2, [...extra]);
  const metrics = (s: Sweep) => JSON.stringify(s.jobs.map((j) => [j.overrides, j.status, j.metrics]));
  const same = metrics(one.json) === metrics(two.json);
  const ratio = one.ms / two.ms;
  const work = (s: Sweep) => s.jobs.reduce((sum, j) => sum + (j.durationMs ?? 0), 0) / 1000;
  console.log(`\n12-job penguins sweep, ${title} (${[...overrides, ...extra].join(" ")}), fresh store each`);
  console.log("| run      | wall time | jobs' own time (sum) | jobs ok |");
  console.log("|----------|-----------|----------------------|---------|");
  for (const [name, r] of [
    ["--jobs 1", one],
    ["--jobs 2", two]
  ] as const) {
    console.log(
      `| ${name} | ${(r.ms / 1000).toFixed(1).padStart(7)} s | ${work(r.json).toFixed(1).padStart(18)} s | ${String(r.json.jobs.filter((j) => j.status === "ok").length).padStart(7)} |`
    );
  }
  console.log(
    `speedup --jobs 2 vs --jobs 1: ${ratio.toFixed(2)}× (target ≥ 1.7×) ${ratio >= 1.7 ? "met" : "NOT met"}`
  );
  console.log(`identical metrics: ${same ? "yes" : "NO"}`);
  if (!same) failed = true;
}
console.log("no sklearn column: the bench compares mlbook's sweep runner with itself");
if (failed) process.exitCode = 1;
