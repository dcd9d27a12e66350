/**
 * Metrics on 1M rows against sklearn.metrics, same data: best-of-3 time per metric, the two values
 * (they must agree), and the time ratio.
 *
 *   npx tsx bench/metrics.bench.ts [--rows 1000000]
 */
import {execFileSync} from "node:child_process";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {scoreByName} from "../src/pipeline/ml/metrics/index.ts";
import {createRng} from "../src/pipeline/ml/rng.ts";
import {writeRaw} from "./data.ts";
import {pythonWith} from "./measure.ts";

const rowsArg = process.argv.indexOf("--rows");
const n = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;

// Binary labels with a noisy score; 3-class labels with softmax probabilities; a regression pair.
const rng = createRng(0);
const yBin = new Float64Array(n),
  score = new Float64Array(n),
  predBin = new Float64Array(n);
const y3 = new Float64Array(n),
  pred3 = new Float64Array(n);
const p3 = [0, 1, 2].map(() => new Float64Array(n));
const yReg = new Float64Array(n),
  predReg = new Float64Array(n);
for (let i = 0; i < n; ++i) {
  yBin[i] = rng.next() < 0.4 ? 1 : 0;
  score[i] = 1 / (1 + Math.exp(-(2 * yBin[i] - 1 + rng.normal())));
  predBin[i] = score[i] > 0.5 ? 1 : 0;
  y3[i] = rng.int(3);
  const z = [0, 1, 2].map((k) => (k === y3[i] ? 1 : 0) + rng.normal());
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e[0] + e[1] + e[2];
  for (let k = 0; k < 3; ++k) p3[k][i] = e[k] / s;
  pred3[i] = z.indexOf(m);
  yReg[i] = rng.normal() * 10;
  predReg[i] = yReg[i] + rng.normal();
}
const cols = [score, predBin, y3, pred3, ...p3, yReg, predReg];

const PYTHON = String.raw`
import json, sys, time
import numpy as np
from sklearn import metrics as m
X = np.fromfile(sys.argv[1]).reshape(-1, 9)
yb = np.fromfile(sys.argv[2]).astype(np.int64)
score, pb, y3, p3c, P3, yr, pr = X[:, 0], X[:, 1].astype(np.int64), X[:, 2].astype(np.int64), X[:, 3].astype(np.int64), X[:, 4:7], X[:, 7], X[:, 8]
cases = {
  "accuracy": lambda: m.accuracy_score(y3, p3c),
  "f1_macro": lambda: m.f1_score(y3, p3c, average="macro"),
  "matthews_corrcoef": lambda: m.matthews_corrcoef(y3, p3c),
  "roc_auc": lambda: m.roc_auc_score(yb, score),
  "roc_auc_ovr": lambda: m.roc_auc_score(y3, P3, multi_class="ovr"),
  "average_precision": lambda: m.average_precision_score(yb, score),
  "log_loss": lambda: m.log_loss(y3, P3),
  "r2": lambda: m.r2_score(yr, pr),
  "median_ae": lambda: m.median_absolute_error(yr, pr),
}
out = {}
for name, f in cases.items():
  best = float("inf")
  for _ in range(3):
    t = time.perf_counter(); v = f(); best = min(best, time.perf_counter() - t)
  out[name] = {"seconds": best, "value": float(v)}
print(json.dumps(out))
`;

const i32 = (a: Float64Array) => Int32Array.from(a);
const yBinI = i32(yBin),
  y3I = i32(y3),
  pred3I = i32(pred3);
const ours: Record<string, () => number> = {
  accuracy: () => scoreByName("accuracy", y3I, pred3I),
  f1_macro: () => scoreByName("f1_macro", y3I, pred3I),
  matthews_corrcoef: () => scoreByName("matthews_corrcoef", y3I, pred3I),
  roc_auc: () => scoreByName("roc_auc", yBinI, i32(predBin), score),
  roc_auc_ovr: () => scoreByName("roc_auc_ovr", y3I, pred3I, p3),
  average_precision: () => scoreByName("average_precision", yBinI, i32(predBin), score),
  log_loss: () => scoreByName("log_loss", y3I, pred3I, p3),
  r2: () => scoreByName("r2", yReg, predReg),
  median_ae: () => scoreByName("median_ae", yReg, predReg)
};

const dir = mkdtempSync(join(tmpdir(), "mlbook-metrics-"));
try {
  let sk: Record<string, {seconds: number; value: number}> | undefined;
  const py = pythonWith(["sklearn"]);
  if (py) {
    const {x, y} = writeRaw(dir, "metrics", {rows: n, cols}, yBin);
    const script = join(dir, "metrics.py");
    writeFileSync(script, PYTHON);
    sk = JSON.parse(execFileSync(py, [script, x, y], {encoding: "utf8"}));
  } else {
    console.log("python3 with scikit-learn not found: sklearn column skipped");
  }
  console.log(`${n} rows, best of 3`);
  const rows = Object.entries(ours).map(([name, f]) => {
    let best = Infinity,
      value = NaN;
    for (let r = 0; r < 3; ++r) {
      const t = performance.now();
      value = f();
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    const s = sk?.[name];
    return {
      metric: name,
      "ours (s)": best.toFixed(4),
      "sklearn (s)": s ? s.seconds.toFixed(4) : "-",
      ratio: s ? (best / s.seconds).toFixed(2) : "-",
      "|Δvalue|": s ? Math.abs(value - s.value).toExponential(1) : "-"
    };
  });
  console.table(rows);
} finally {
  rmSync(dir, {recursive: true, force: true});
}
