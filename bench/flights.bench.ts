// The 3,000,000-row flights pipeline end to end, beside an equivalent pandas + scikit-learn script
// on the same machine in the same run: wall time, peak RSS, then mlbook's warm re-run. Both sides
// run twice: with every core (each tool's default: sklearn's OpenMP, mlbook's boosting threads)
// and on one thread (OMP_NUM_THREADS=1 / MLBOOK_THREADS=1); ratios compare like with like.
import {availableParallelism} from "node:os";
import {cpSync, mkdtempSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {spawnSync} from "node:child_process";
import {measure, pythonWith, type Measured} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cores = availableParallelism();

/** A copy of the repo without any store or tracking a checkout has: its first run is truly cold. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-flights-"));
  for (const name of ["bin", "src", "pipelines", "package.json"])
    cpSync(join(repo, name), join(dir, name), {recursive: true, filter: (src) => !src.includes(".mlbook")});
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function mlbook(dir: string, threads?: number): Measured {
  const env = threads ? {...process.env, MLBOOK_THREADS: String(threads)} : process.env;
  const run = measure(
    process.execPath,
    ["bin/mlbook.js", "run", "--json", "--config", "pipelines/flights.yaml"],
    {
      cwd: dir,
      env
    }
  );
  if (run.status !== 0) throw new Error(`mlbook failed:\n${run.stderr}`);
  return run;
}

const rows: string[][] = [["", "wall s", "peak RSS MiB", "accuracy", "roc_auc"]];
const pandasPhases: string[][] = [];
const sum = (phases: Record<string, number>) => Object.values(phases).reduce((t, v) => t + v, 0);
const fmt = (v: number | null, d = 1) => (v === null ? "–" : v.toFixed(d));
const metricsOf = (run: Measured) => (JSON.parse(run.stdout) as {metrics: Record<string, number>}).metrics;

const dir = project();
const cold = mlbook(dir);
const warm = mlbook(dir);
const coldOne = mlbook(project(), 1);
for (const [name, run] of [
  [`mlbook, cold store (${cores} threads)`, cold],
  ["mlbook, cold store (1 thread)", coldOne]
] as const) {
  const m = metricsOf(run);
  rows.push([name, fmt(run.seconds), fmt(run.peakMiB, 0), fmt(m.accuracy, 4), fmt(m.roc_auc, 4)]);
}
rows.push(["mlbook, warm re-run", fmt(warm.seconds, 2), fmt(warm.peakMiB, 0), "", ""]);

// Where mlbook's time goes: each step's share of the run (the rest: start-up, planning, tracking).
const stepsOf = (run: Measured) =>
  (JSON.parse(run.stdout) as {durationMs: number; steps: {name: string; durationMs: number}[]}).steps;
const share: string[][] = [["step", `s (${cores} threads)`, "share", "s (1 thread)", "share"]];
const all = stepsOf(cold);
const one = stepsOf(coldOne);
for (const step of all) {
  const single = one.find((s) => s.name === step.name)!;
  share.push([
    step.name,
    fmt(step.durationMs / 1000, 2),
    `${fmt((100 * step.durationMs) / 1000 / cold.seconds, 0)}%`,
    fmt(single.durationMs / 1000, 2),
    `${fmt((100 * single.durationMs) / 1000 / coldOne.seconds, 0)}%`
  ]);
}
const stepSum = (steps: {durationMs: number}[]) => steps.reduce((t, s) => t + s.durationMs, 0) / 1000;
share.push([
  "outside the steps",
  fmt(cold.seconds - stepSum(all), 2),
  `${fmt((100 * (cold.seconds - stepSum(all))) / cold.seconds, 0)}%`,
  fmt(coldOne.seconds - stepSum(one), 2),
  `${fmt((100 * (coldOne.seconds - stepSum(one))) / coldOne.seconds, 0)}%`
]);

const python = pythonWith(["pandas", "sklearn"]);
const data = join(repo, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
if (python) {
  // pandas reads the Parquet file through pyarrow; without it (Debian packages none), it reads a
  // pickle of the same rows, made here beforehand and not timed — pandas' own fastest format.
  const parquet = spawnSync(python, ["-c", "import pyarrow"]).status === 0;
  const input = parquet ? data : await pickleOf(python, dir);
  const script = join(dir, "flights.py");
  writeFileSync(script, pandasScript(parquet));
  const run = (env: NodeJS.ProcessEnv) => {
    const py = measure(python, [script, input], {env});
    if (py.status !== 0) throw new Error(`python failed:\n${py.stderr}`);
    return py;
  };
  const {OMP_NUM_THREADS: _, ...withoutOmp} = process.env;
  const pyAll = run(withoutOmp);
  const pyOne = run({...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1"});
  const phasesOf = (py: Measured) =>
    JSON.parse(py.stdout.trim().split("\n").pop()!) as Record<string, number> & {
      phases: Record<string, number>;
    };
  for (const [name, py] of [
    [`pandas + sklearn (${cores} threads)`, pyAll],
    ["pandas + sklearn (1 thread)", pyOne]
  ] as const) {
    const pm = phasesOf(py);
    rows.push([name, fmt(py.seconds), fmt(py.peakMiB, 0), fmt(pm.accuracy, 4), fmt(pm.roc_auc, 4)]);
  }
  for (const [name, ours, theirs] of [
    [`ratio mlbook / pandas, ${cores} threads`, cold, pyAll],
    ["ratio mlbook / pandas, 1 thread", coldOne, pyOne]
  ] as const) {
    rows.push([
      name,
      fmt(ours.seconds / theirs.seconds, 2),
      ours.peakMiB && theirs.peakMiB ? fmt(ours.peakMiB / theirs.peakMiB, 2) : "–",
      "",
      ""
    ]);
  }
  pandasPhases.push(["phase", `s (${cores} threads)`, "s (1 thread)"]);
  const [a, b] = [phasesOf(pyAll).phases, phasesOf(pyOne).phases];
  for (const phase of Object.keys(a)) pandasPhases.push([phase, fmt(a[phase], 2), fmt(b[phase], 2)]);
  pandasPhases.push(["outside the phases", fmt(pyAll.seconds - sum(a), 2), fmt(pyOne.seconds - sum(b), 2)]);
  if (!parquet)
    console.log(
      "(pandas reads a pickle of the rows: no pyarrow here to read the Parquet file; its `read` phase is that)"
    );
} else {
  console.log("(no python3 with pandas and scikit-learn here: no side-by-side run)");
}
for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(14) : c.padEnd(36))).join(""));
console.log("\nmlbook's steps");
for (const r of share) console.log(r.map((c, i) => (i ? c.padStart(16) : c.padEnd(22))).join(""));
if (pandasPhases.length) {
  console.log("\nthe pandas + sklearn script's phases");
  for (const r of pandasPhases) console.log(r.map((c, i) => (i ? c.padStart(16) : c.padEnd(22))).join(""));
}
console.log(
  "\ntargets (issue 18): wall ≤ 1.0× pandas + sklearn on both thread counts, peak RSS ≤ 0.7× pandas'; warm re-run ≤ 1 s"
);

/** The pandas + scikit-learn equivalent of pipelines/flights.yaml, timing its phases. */
function pandasScript(parquet: boolean): string {
  return `
import json, sys, time
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score
phases, t = {}, time.perf_counter()
def phase(name):
    global t
    now = time.perf_counter()
    phases[name] = now - t
    t = now
df = ${parquet ? "pd.read_parquet(sys.argv[1])" : "pd.read_pickle(sys.argv[1])"}
phase("read")
df = df[df["delay"].notna()].copy()
df["late"] = (df["delay"] > 15).astype(int)
df["month"] = df["date"].dt.month
df["weekday"] = (df["date"].dt.dayofweek + 1) % 7
df["hour"] = df["date"].dt.hour
df = df.sort_values("date", kind="stable")
# mean delay of the previous 50 flights from the same origin, earlier rows only
df["origin_recent_delay"] = df.groupby("origin")["delay"].transform(lambda s: s.shift(1).rolling(50, min_periods=1).mean())
for c in ["origin", "destination"]:
    df[c] = df[c].astype("category").cat.codes
phase("clean + features")
cut = df["date"].quantile(0.8)
train, test = df[df["date"] < cut], df[df["date"] >= cut]
features = ["distance", "origin", "destination", "month", "weekday", "hour", "origin_recent_delay"]
phase("split")
model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, random_state=0)
model.fit(train[features], train["late"])
phase("fit")
p = model.predict_proba(test[features])[:, 1]
result = {"accuracy": accuracy_score(test["late"], p > 0.5), "roc_auc": roc_auc_score(test["late"], p)}
phase("predict + metrics")
print(json.dumps({**result, "phases": phases}))
`;
}

/** The flights rows as a pandas pickle (through a CSV DuckDB writes): not timed. */
async function pickleOf(python: string, dir: string): Promise<string> {
  const {DuckDBInstance} = await import("@duckdb/node-api");
  const csv = join(dir, "flights.csv");
  const db = await DuckDBInstance.create();
  const connection = await db.connect();
  await connection.run(`COPY (SELECT * FROM read_parquet('${data}')) TO '${csv}' (HEADER)`);
  connection.closeSync();
  const pickle = join(dir, "flights.pkl");
  const made = spawnSync(python, [
    "-c",
    `import pandas as pd; pd.read_csv("${csv}", parse_dates=["date"]).to_pickle("${pickle}")`
  ]);
  if (made.status !== 0) throw new Error(`making the pickle failed: ${made.stderr}`);
  return pickle;
}
