// The 3,000,000-row flights pipeline end to end, beside an equivalent pandas + scikit-learn script
// on the same machine in the same run: wall time, peak RSS, then mlbook's warm re-run. Both sides
// run with every core (each tool's default: sklearn's OpenMP, mlbook's boosting threads) and on one
// thread (OMP_NUM_THREADS=1 / MLBOOK_THREADS=1), each `--rounds N` times (default 2, interleaved;
// the fastest run counts); ratios compare like with like.
//
//   npm run bench -- flights [--rounds 2]
import {availableParallelism} from "node:os";
import {cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {spawnSync} from "node:child_process";
import {measure, pythonWith, type Measured} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cores = availableParallelism();

/** Folders this bench makes (each cold store holds ~150 MB): removed at the end. */
const made: string[] = [];

/** A copy of the repo without any store or tracking a checkout has: its first run is truly cold. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-flights-"));
  made.push(dir);
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

// Each configuration runs ROUNDS times, mlbook's and pandas' runs interleaved, and the fastest
// run of each counts (this VM's neighbours slow a whole run by up to 2× at times); peak RSS is the
// largest of the rounds on both sides. Every round's wall time is printed.
const roundsAt = process.argv.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 2;
const work = mkdtempSync(join(tmpdir(), "mlbook-bench-flights-pandas-"));
made.push(work);
const python = pythonWith(["pandas", "sklearn"]);
const data = join(repo, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
// pandas reads the Parquet file through pyarrow; without it (Debian packages none), it reads a
// pickle of the same rows, made here beforehand and not timed — pandas' own fastest format.
const parquet = python !== null && spawnSync(python, ["-c", "import pyarrow"]).status === 0;
const input = python === null ? null : parquet ? data : await pickleOf(python, work);
const script = join(work, "flights.py");
writeFileSync(script, pandasScript(parquet));
const pandas = (threads?: number): Measured => {
  const {OMP_NUM_THREADS: _, ...withoutOmp} = process.env;
  const env = threads
    ? {...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads)}
    : withoutOmp;
  const py = measure(python!, [script, input!], {env});
  if (py.status !== 0) throw new Error(`python failed:\n${py.stderr}`);
  return py;
};
const runs: Record<"cold" | "coldOne" | "pyAll" | "pyOne", Measured[]> = {
  cold: [],
  coldOne: [],
  pyAll: [],
  pyOne: []
};
let warmRun: Measured | undefined;
for (let round = 0; round < ROUNDS; ++round) {
  const dir = project();
  runs.cold.push(mlbook(dir));
  warmRun ??= mlbook(dir);
  if (python) runs.pyAll.push(pandas());
  runs.coldOne.push(mlbook(project(), 1));
  if (python) runs.pyOne.push(pandas(1));
}
const fastest = (list: Measured[]): Measured => {
  const best = list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const peaks = list.map((r) => r.peakMiB).filter((p): p is number => p !== null);
  return {...best, peakMiB: peaks.length ? Math.max(...peaks) : null};
};
const cold = fastest(runs.cold);
const coldOne = fastest(runs.coldOne);
const warm = warmRun!;
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

const targets: {label: string; wall: number; rss: number | null; before: number; evaluate: number}[] = [];
if (python) {
  const pyAll = fastest(runs.pyAll);
  const pyOne = fastest(runs.pyOne);
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
  const stepSeconds = (steps: {name: string; durationMs: number}[], names: string[]) =>
    stepSum(steps.filter((s) => names.includes(s.name)));
  for (const [label, ours, theirs, phases, steps] of [
    [`${cores} threads`, cold, pyAll, a, all],
    ["1 thread", coldOne, pyOne, b, one]
  ] as const) {
    targets.push({
      label,
      wall: ours.seconds / theirs.seconds,
      rss: ours.peakMiB && theirs.peakMiB ? ours.peakMiB / theirs.peakMiB : null,
      before:
        stepSeconds(steps, ["ingest", "clean", "featurize", "split"]) /
        (phases["read"] + phases["clean + features"] + phases["split"]),
      evaluate: stepSeconds(steps, ["evaluate"]) / (phases["predict"] + phases["metrics"])
    });
  }
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
console.log(`\nwall s of each round (${ROUNDS}; the fastest counts):`);
for (const [name, list] of [
  [`mlbook, ${cores} threads`, runs.cold],
  [`pandas + sklearn, ${cores} threads`, runs.pyAll],
  ["mlbook, 1 thread", runs.coldOne],
  ["pandas + sklearn, 1 thread", runs.pyOne]
] as const)
  if (list.length) console.log(`  ${name.padEnd(30)}${list.map((r) => fmt(r.seconds)).join(" / ")}`);
console.log("\ntargets (issue 18)");
const verdict = (what: string, figure: number | null, limit: number, unit = "×") =>
  console.log(
    `${what.padEnd(62)}${figure === null ? "–".padStart(8) : `${fmt(figure, 2)}${unit}`.padStart(8)}  ≤ ${limit}${unit}: ${figure === null ? "not measured" : figure <= limit ? "met" : "NOT met"}`
  );
verdict("warm re-run", warm.seconds, 1, " s");
for (const t of targets) {
  verdict(`wall, mlbook / pandas + sklearn, ${t.label}`, t.wall, 1);
  verdict(`peak RSS, mlbook / pandas + sklearn, ${t.label}`, t.rss, 0.7);
  verdict(`table work before the fit (ingest … split / read … split), ${t.label}`, t.before, 0.6);
  verdict(`evaluate / predict and metrics, ${t.label}`, t.evaluate, 0.6);
}
for (const folder of made) rmSync(folder, {recursive: true, force: true});

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
phase("predict")
result = {"accuracy": accuracy_score(test["late"], p > 0.5), "roc_auc": roc_auc_score(test["late"], p)}
phase("metrics")
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
