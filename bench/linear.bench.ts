/**
 * Logistic regression fit time on 1M × 20 rows (binary and 3-class): ours vs sklearn's
 * LogisticRegression(solver="lbfgs") vs the npm package ml-logistic-regression, side by side.
 *
 *   npx tsx bench/linear.bench.ts            # ROWS=1000000 by default
 *   npm install --prefix /tmp/mlr ml-logistic-regression   # optional third column
 *
 * Each fit reports its iterations and the training log-loss it reaches, so equal quality is visible.
 * Like for like: ours on one thread against sklearn held to one (OpenBLAS, OpenMP), then ours on
 * every core against sklearn as it comes (its BLAS on every core); wall and CPU seconds each.
 */
import {spawnSync} from "node:child_process";
import {existsSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import {LogisticRegression} from "../src/pipeline/ml/linear/logisticRegression.ts";
import type {Features} from "../src/pipeline/ml/types.ts";
import {makeClassification, writeRaw} from "./data.ts";
import {pythonWith} from "./measure.ts";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const FEATURES = 20;
const ML_ROWS = Math.min(ROWS, 100_000);
const ML_STEPS = 20;
const MLR = "/tmp/mlr/node_modules";
const CORES = availableParallelism();
/** A python3 with scikit-learn: on PATH, or Debian's. */
const PY = pythonWith(["sklearn"]);
/** sklearn on one thread: its BLAS (OpenBLAS) and its OpenMP loops. */
const ONE_THREAD = {OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1"};

interface Run {
  seconds: number;
  /** Process CPU time (all threads): steadier than wall time on a shared, busy machine. */
  cpu: number;
  iterations: number;
  logLoss: number;
}

/** sklearn's two settings: its defaults, and ours (tighter tol, more iterations). */
const SETTINGS = [
  {label: "tol=1e-4 max_iter=100 (sklearn defaults)", tol: 1e-4, max_iter: 100},
  {label: "tol=1e-6 max_iter=1000 (our defaults)", tol: 1e-6, max_iter: 1000}
];

const dir = mkdtempSync(join(tmpdir(), "mlbook-linear-bench-"));
try {
  if (!PY) console.log("note: no python3 here has scikit-learn; skipping the sklearn column");
  for (const classes of [2, 3]) {
    const {X, y} = makeClassification(ROWS, FEATURES, {classes, seed: 7});
    console.log(`\n## ${ROWS.toLocaleString("en")} × ${FEATURES}, ${classes} classes, C=1`);
    const raw = PY ? writeRaw(dir, `c${classes}`, X, y) : undefined;
    const rows: string[][] = [
      [
        "setting",
        "threads",
        "ours wall/cpu s",
        "iter",
        "log-loss",
        "sklearn wall/cpu s",
        "iter",
        "log-loss",
        "ratio wall/cpu"
      ]
    ];
    // Like for like: one thread each (sklearn's BLAS and OpenMP held to one), then every core each.
    for (const threads of [1, CORES]) {
      const ours = SETTINGS.map(({tol, max_iter}) => fitOurs(X, y, classes, tol, max_iter, threads));
      const sk = raw ? runSklearn(raw, threads === 1 ? ONE_THREAD : {}) : [];
      SETTINGS.forEach((setting, s) => {
        const o = ours[s];
        const k = sk[s];
        rows.push([
          setting.label,
          String(threads),
          `${o.seconds.toFixed(2)} / ${o.cpu.toFixed(2)}`,
          String(o.iterations),
          o.logLoss.toFixed(6),
          k ? `${k.seconds.toFixed(2)} / ${k.cpu.toFixed(2)}` : "-",
          k ? String(k.iterations) : "-",
          k ? k.logLoss.toFixed(6) : "-",
          k ? `${(o.seconds / k.seconds).toFixed(2)}× / ${(o.cpu / k.cpu).toFixed(2)}×` : "-"
        ]);
      });
    }
    printTable(rows);
    console.log(
      `target (issue 18): wall ratio ≤ 0.80× at sklearn's defaults and ours, on ${CORES} threads each`
    );
    for (const r of rows.slice(1).filter((r) => r[1] === String(CORES) && r[8] !== "-")) {
      const wall = Number(r[8].split("×")[0]);
      console.log(
        `  ${r[0]}, ${CORES} threads: ${wall.toFixed(2)}× ≤ 0.80×: ${wall <= 0.8 ? "met" : "NOT met"}`
      );
    }
    await compareMlLogisticRegression(X, y, classes);
  }
} finally {
  rmSync(dir, {recursive: true, force: true});
}

function fitOurs(
  X: Features,
  y: Int32Array,
  classes: number,
  tol: number,
  max_iter: number,
  threads: number
): Run {
  const model = new LogisticRegression({C: 1, tol, max_iter});
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  model.fit(X, y, {nClasses: classes, threads});
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpuStart);
  return {
    seconds,
    cpu: (used.user + used.system) / 1e6,
    iterations: model.iterations,
    logLoss: logLoss(model.predictProba(X), y)
  };
}

function logLoss(proba: Float64Array[], y: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; ++i) sum -= Math.log(Math.max(proba[y[i]][i], 1e-15));
  return sum / y.length;
}

function runSklearn(raw: {x: string; y: string}, env: Record<string, string>): Run[] {
  const script = `
import json, sys, time, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
warnings.simplefilter("ignore")
X = np.fromfile(sys.argv[1]).reshape(-1, ${FEATURES})
y = np.fromfile(sys.argv[2]).astype(np.int64)
out = []
for tol, max_iter in ${JSON.stringify(SETTINGS.map((s) => [s.tol, s.max_iter]))}:
    m = LogisticRegression(C=1.0, tol=tol, max_iter=max_iter)
    t, c = time.perf_counter(), time.process_time()
    m.fit(X, y)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    out.append({"seconds": seconds, "cpu": cpu, "iterations": int(m.n_iter_.max()), "logLoss": log_loss(y, m.predict_proba(X))})
print(json.dumps(out))
`;
  const file = join(dir, "sklearn_logistic.py");
  writeFileSync(file, script);
  const result = spawnSync(PY!, [file, raw.x, raw.y], {
    encoding: "utf8",
    env: {...process.env, ...env},
    maxBuffer: 1 << 20
  });
  if (result.status !== 0) throw new Error(`sklearn run failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "[]") as Run[];
}

interface MlMatrixModule {
  Matrix: {
    new (rows: number[][]): unknown;
    columnVector(values: number[]): unknown;
  };
}

interface MlLogRegModule {
  default: new (options: {numSteps: number; learningRate: number}) => {
    train(X: unknown, y: unknown): void;
    predict(X: unknown): number[];
  };
}

/**
 * ml-logistic-regression is one-vs-rest, unpenalised, intercept-free batch gradient ascent with a
 * fixed step count (default 50,000 full passes), so it cannot fit 1M rows in useful time: it runs
 * ML_STEPS steps on the first ML_ROWS rows (plus a ones column as intercept), and we time our fit on
 * the same rows. Its accuracy after those steps shows how far from converged it still is.
 */
async function compareMlLogisticRegression(X: Features, y: Int32Array, classes: number): Promise<void> {
  const entry = join(MLR, "ml-logistic-regression/src/logreg.js");
  if (!existsSync(entry)) {
    console.log(
      `note: ${entry} not found; skipping ml-logistic-regression (npm install --prefix /tmp/mlr …)`
    );
    return;
  }
  const {Matrix} = (await import(join(MLR, "ml-matrix/src/index.js"))) as MlMatrixModule;
  const MlLogReg = ((await import(entry)) as MlLogRegModule).default;
  const n = ML_ROWS;
  const sub: Features = {rows: n, cols: X.cols.map((c) => c.subarray(0, n))};
  const ySub = y.subarray(0, n);
  const rows = Array.from({length: n}, (_, i) => [...X.cols.map((c) => c[i]), 1]);
  const features = new Matrix(rows);
  const target = Matrix.columnVector(Array.from(ySub));
  // Sum-of-gradients steps: a rate near 1/n keeps plain gradient ascent stable on standardised data.
  const model = new MlLogReg({numSteps: ML_STEPS, learningRate: 1 / n});
  let start = performance.now();
  model.train(features, target);
  const mlSeconds = (performance.now() - start) / 1000;
  const mlAccuracy = accuracy(model.predict(features), ySub);
  const ours = new LogisticRegression({C: 1});
  start = performance.now();
  ours.fit(sub, ySub, {nClasses: classes});
  const ourSeconds = (performance.now() - start) / 1000;
  const ourAccuracy = accuracy(Array.from(ours.predict(sub)), ySub);
  console.log(
    `ml-logistic-regression on ${n.toLocaleString("en")} rows, ${ML_STEPS} steps × ${classes} one-vs-rest fits: ` +
      `${mlSeconds.toFixed(2)} s, train accuracy ${mlAccuracy.toFixed(4)} | ours (converged, ${ours.iterations} iter): ` +
      `${ourSeconds.toFixed(2)} s, accuracy ${ourAccuracy.toFixed(4)} | ratio ours/ml ${(ourSeconds / mlSeconds).toFixed(3)}×`
  );
}

function accuracy(predicted: ArrayLike<number>, y: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < y.length; ++i) if (predicted[i] === y[i]) ++hits;
  return hits / y.length;
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}
