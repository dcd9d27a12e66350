/**
 * Histogram gradient boosting against sklearn's HistGradientBoostingClassifier, default params,
 * same rows, like for like: both on one thread (sklearn with OMP_NUM_THREADS=1), then both on
 * every core: fit time, hold-out accuracy, ratio.
 * Wall and CPU seconds are both shown: on a shared machine the CPU ratio is the steadier one.
 *
 *   npx tsx bench/boosting.bench.ts [--scale 0.1]
 */
import {execFileSync} from "node:child_process";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import {HistGradientBoostingClassifier} from "../src/pipeline/ml/hgb/HistGradientBoostingClassifier.ts";
import {histGradientBoostingParams} from "../src/pipeline/ml/hgb/histGradientBoostingParams.ts";
import type {Features} from "../src/pipeline/ml/types.ts";
import {makeClassification, writeRaw} from "./data.ts";
import {pythonWith} from "./measure.ts";

const scaleArg = process.argv.indexOf("--scale");
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const cases = [
  {name: "binary", train: Math.round(1_000_000 * scale), features: 20, classes: 2, seed: 1},
  {name: "3-class", train: Math.round(100_000 * scale), features: 20, classes: 3, seed: 2}
];

const PYTHON = String.raw`
import json, resource, sys, time
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
x, y, n_train, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(x).reshape(-1, p)
y = np.fromfile(y).astype(np.int64)
t, c = time.perf_counter(), time.process_time()
model = HistGradientBoostingClassifier(random_state=0).fit(X[:n_train], y[:n_train])
seconds, cpu = time.perf_counter() - t, time.process_time() - c
acc = float((model.predict(X[n_train:]) == y[n_train:]).mean())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "accuracy": acc, "n_iter": int(model.n_iter_), "rss_kib": rss}))
`;

function slice(X: Features, from: number, to: number): Features {
  return {rows: to - from, cols: X.cols.map((c) => c.subarray(from, to))};
}

const dir = mkdtempSync(join(tmpdir(), "mlbook-boosting-"));
const script = join(dir, "hgb.py");
writeFileSync(script, PYTHON);
const PY = pythonWith(["sklearn"]);
const withSklearn = PY !== null;
if (!withSklearn) console.log("note: python3 with scikit-learn not found; sklearn column skipped");

const rows: string[][] = [];
const CORES = availableParallelism();
try {
  for (const c of cases) {
    const test = Math.round(c.train / 5);
    const {X, y} = makeClassification(c.train + test, c.features, {classes: c.classes, seed: c.seed});
    const paths = writeRaw(dir, c.name, X, y);
    // Like for like: ours on one thread against sklearn held to one (OpenMP, BLAS), then every
    // core each.
    for (const threads of [1, CORES]) {
      const model = new HistGradientBoostingClassifier(histGradientBoostingParams.parse({}));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      model.fit(slice(X, 0, c.train), y.subarray(0, c.train), {threads});
      const ours = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const oursCpu = (cpu.user + cpu.system) / 1e6;
      const pred = model.predict(slice(X, c.train, c.train + test));
      let hits = 0;
      for (let i = 0; i < test; ++i) hits += pred[i] === y[c.train + i] ? 1 : 0;
      const acc = hits / test;
      let sk = {seconds: NaN, cpu: NaN, accuracy: NaN, n_iter: NaN, rss_kib: NaN};
      if (withSklearn) {
        const one = {OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1"};
        const out = execFileSync(PY!, [script, paths.x, paths.y, String(c.train), String(c.features)], {
          env: {...process.env, ...(threads === 1 ? one : {})},
          encoding: "utf8"
        });
        sk = JSON.parse(out.trim().split("\n").pop()!);
      }
      rows.push([
        `${c.name} ${c.train.toLocaleString("en")}×${c.features}`,
        String(threads),
        ours.toFixed(2),
        sk.seconds.toFixed(2),
        (ours / sk.seconds).toFixed(2),
        oursCpu.toFixed(2),
        sk.cpu.toFixed(2),
        (oursCpu / sk.cpu).toFixed(2),
        (100 * acc).toFixed(2),
        (100 * sk.accuracy).toFixed(2),
        (100 * (acc - sk.accuracy)).toFixed(2),
        `${model.nIter} / ${sk.n_iter}`
      ]);
    }
  }
} finally {
  rmSync(dir, {recursive: true, force: true});
}

const header = [
  "case",
  "threads",
  "ours s",
  "sklearn s",
  "ratio",
  "ours cpu s",
  "sklearn cpu s",
  "cpu ratio",
  "ours acc%",
  "sklearn acc%",
  "Δ acc",
  "n_iter ours/sk"
];
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => r.map((v, j) => v.padStart(widths[j])).join("  ");
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log("targets (issue 18): cpu ratio ≤ 1.00 on one thread; wall ratio ≤ 0.90 on every core");
for (const r of rows) {
  const one = r[1] === "1";
  const ratio = Number(one ? r[7] : r[4]);
  const limit = one ? 1 : 0.9;
  console.log(
    `  ${r[0]}, ${r[1]} thread${one ? "" : "s"}: ${one ? "cpu" : "wall"} ${ratio.toFixed(2)}× ≤ ${limit.toFixed(2)}×: ${Number.isNaN(ratio) ? "not measured (no sklearn)" : ratio <= limit ? "met" : "NOT met"}`
  );
}
console.log(
  `peak RSS (ours, whole bench process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`
);
