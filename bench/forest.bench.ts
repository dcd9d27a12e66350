/**
 * RandomForestClassifier against sklearn's (n_jobs=1) and the npm package ml-random-forest, on the
 * same synthetic rows: fit time on ONE thread (wall and CPU), hold-out accuracy, ratios; then the
 * peak RSS of fitting on 1,000,000 × 20 in a child process for each side.
 *
 *   npx tsx bench/forest.bench.ts [--rows 100000] [--trees 100] [--depth 12] [--mlrf-rows 10000] [--mlrf-trees 10]
 *                                 [--rss-rows 1000000] [--rss-trees 20] [--no-rss | --rss-only] [--threads 2]
 *
 * ml-random-forest is not a dependency: install it outside the project with
 * `npm install --prefix /tmp/mlrf ml-random-forest` (or point MLRF_DIR at another prefix).
 */
import {spawnSync} from "node:child_process";
import {build} from "esbuild";
import {existsSync, mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {RandomForestClassifier} from "../src/pipeline/ml/forest/randomForest.ts";
import type {Features} from "../src/pipeline/ml/types.ts";
import {makeClassification, writeRaw} from "./data.ts";
import {pythonWith} from "./measure.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = arg("rows", 100_000);
const TREES = arg("trees", 100);
const DEPTH = arg("depth", 12);
const FEATURES = 20;
const MLRF_ROWS = arg("mlrf-rows", 10_000);
const MLRF_TREES = arg("mlrf-trees", 10);
const RSS_ROWS = arg("rss-rows", 1_000_000);
const RSS_TREES = arg("rss-trees", 20);
const THREADS = arg("threads", 2);

const PYTHON = String.raw`
import json, resource, sys, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
baseline = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() // 1024
x, y, n_train, p, trees, depth = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
X = np.fromfile(x).reshape(-1, p)
y = np.fromfile(y).astype(np.int64)
model = RandomForestClassifier(n_estimators=trees, max_depth=depth, max_features="sqrt", n_jobs=1, random_state=0)
t, c = time.perf_counter(), time.process_time()
model.fit(X[:n_train], y[:n_train])
seconds, cpu = time.perf_counter() - t, time.process_time() - c
acc = float((model.predict(X[n_train:]) == y[n_train:]).mean()) if len(y) > n_train else None
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "accuracy": acc, "rss_kib": rss, "baseline_kib": baseline}))
`;

interface Timing {
  seconds: number;
  cpu: number;
  accuracy: number;
}

function slice(X: Features, from: number, to: number): Features {
  return {rows: to - from, cols: X.cols.map((c) => c.subarray(from, to))};
}

function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; ++i) ok += pred[i] === y[i] ? 1 : 0;
  return ok / y.length;
}

async function fitOurs(
  train: Features,
  yTrain: Int32Array,
  test: Features,
  yTest: Int32Array,
  threads: number,
  trees = TREES
): Promise<Timing> {
  const model = new RandomForestClassifier({n_estimators: trees, max_depth: DEPTH, max_features: "sqrt"});
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit(train, yTrain, {threads, seed: 0});
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  return {seconds, cpu: (cpu.user + cpu.system) / 1e6, accuracy: accuracy(model.predict(test), yTest)};
}

function runPython(
  paths: {x: string; y: string},
  nTrain: number,
  trees: number
): (Timing & {rss_kib: number; baseline_kib: number}) | null {
  const r = spawnSync(
    pythonWith(["sklearn"]) ?? "python3",
    ["-c", PYTHON, paths.x, paths.y, String(nTrain), String(FEATURES), String(trees), String(DEPTH)],
    {
      encoding: "utf8",
      env: {...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1"}
    }
  );
  if (r.status !== 0) {
    console.log(`note: sklearn run failed: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

type MlrfModel = {train(X: number[][], y: number[]): void; predict(X: number[][]): number[]};
type MlrfCtor = new (options: Record<string, unknown>) => MlrfModel;

async function loadMlrf(): Promise<MlrfCtor | null> {
  const dir = process.env.MLRF_DIR ?? "/tmp/mlrf";
  const entry = join(dir, "node_modules/ml-random-forest/random-forest.js");
  if (!existsSync(entry)) return null;
  const mod = (await import(pathToFileURL(entry).href)) as {
    RandomForestClassifier?: MlrfCtor;
    default?: {RandomForestClassifier: MlrfCtor};
  };
  return mod.RandomForestClassifier ?? mod.default?.RandomForestClassifier ?? null;
}

function fitMlrf(
  Ctor: MlrfCtor,
  train: Features,
  yTrain: Int32Array,
  test: Features,
  yTest: Int32Array
): Timing {
  const rows = (X: Features) => Array.from({length: X.rows}, (_, i) => X.cols.map((c) => c[i]));
  const Xtr = rows(train);
  const model = new Ctor({
    nEstimators: MLRF_TREES,
    maxFeatures: Math.floor(Math.sqrt(FEATURES)),
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    seed: 0,
    treeOptions: {maxDepth: DEPTH}
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  model.train(Xtr, Array.from(yTrain));
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const pred = Int32Array.from(model.predict(rows(test)));
  return {seconds, cpu: (cpu.user + cpu.system) / 1e6, accuracy: accuracy(pred, yTest)};
}

/** Child mode: fit one forest on RSS_ROWS rows and print peak RSS (KiB) as JSON. */
async function rssChild(rows: number, trees: number): Promise<void> {
  // Not maxRSS: a child's high-water mark starts at its parent's RSS when forked (Linux keeps it across exec).
  const baseline = Math.round(process.memoryUsage().rss / 1024);
  const {X, y} = makeClassification(rows, FEATURES, {seed: 3});
  const model = new RandomForestClassifier({n_estimators: trees, max_depth: DEPTH, max_features: "sqrt"});
  const t0 = performance.now();
  await model.fit(X, y, {threads: 1, seed: 0});
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({seconds, rss_kib: process.resourceUsage().maxRSS, baseline_kib: baseline}));
}

const fmt = (v: number | null | undefined, digits = 2) =>
  v === undefined || v === null || Number.isNaN(v) ? "—" : v.toFixed(digits);

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j])).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

async function compare(dir: string, withSklearn: boolean): Promise<void> {
  const test = Math.round(ROWS / 5);
  const {X, y} = makeClassification(ROWS + test, FEATURES, {seed: 1});
  const paths = writeRaw(dir, "forest", X, y);
  const train = slice(X, 0, ROWS);
  const yTrain = y.subarray(0, ROWS);
  const testX = slice(X, ROWS, ROWS + test);
  const yTest = y.subarray(ROWS);
  console.log(
    `RandomForestClassifier(${TREES} trees, max_depth=${DEPTH}, max_features="sqrt") on ${ROWS} × ${FEATURES}, ${test} held out\n`
  );

  const sk = withSklearn ? runPython(paths, ROWS, TREES) : null;
  const ours = await fitOurs(train, yTrain, testX, yTest, 1);
  const oursThreads = await fitOurs(train, yTrain, testX, yTest, THREADS);
  const rows: string[][] = [
    [
      "mlbook, 1 thread",
      fmt(ours.seconds),
      fmt(ours.cpu),
      fmt(ours.accuracy, 4),
      sk ? fmt(ours.seconds / sk.seconds) : "—",
      sk ? fmt(ours.cpu / sk.cpu) : "—"
    ],
    [
      `mlbook, ${THREADS} threads`,
      fmt(oursThreads.seconds),
      fmt(oursThreads.cpu),
      fmt(oursThreads.accuracy, 4),
      sk ? fmt(oursThreads.seconds / sk.seconds) : "—",
      "—"
    ]
  ];
  if (sk) rows.push(["sklearn, n_jobs=1", fmt(sk.seconds), fmt(sk.cpu), fmt(sk.accuracy, 4), "1.00", "1.00"]);
  table(["fit", "wall s", "cpu s", "accuracy", "wall / sklearn", "cpu / sklearn"], rows);
  if (sk)
    console.log(
      `fit, 1 thread each: ${fmt(ours.seconds / sk.seconds)}× of sklearn's time (target ≤ 0.5×): ${ours.seconds / sk.seconds <= 0.5 ? "met" : "NOT met"}`
    );

  const Mlrf = await loadMlrf();
  if (!Mlrf) {
    console.log(
      "\nnote: ml-random-forest not found (npm install --prefix /tmp/mlrf ml-random-forest); column skipped"
    );
  } else {
    const small = slice(X, 0, MLRF_ROWS);
    const ySmall = y.subarray(0, MLRF_ROWS);
    const oursSmall = await fitOurs(small, ySmall, testX, yTest, 1, MLRF_TREES);
    const mlrf = fitMlrf(Mlrf, small, ySmall, testX, yTest);
    const scaleUp = (ROWS / MLRF_ROWS) * (TREES / MLRF_TREES);
    console.log(
      `\nml-random-forest: ${MLRF_TREES} trees on ${MLRF_ROWS} rows (same depth; its max_features is per tree, not per split)`
    );
    table(
      ["fit", "trees × rows", "wall s", "cpu s", "accuracy", "cpu mlrf / mlbook"],
      [
        [
          "mlbook, 1 thread",
          `${MLRF_TREES} × ${MLRF_ROWS}`,
          fmt(oursSmall.seconds),
          fmt(oursSmall.cpu),
          fmt(oursSmall.accuracy, 4),
          "1.0"
        ],
        [
          "ml-random-forest",
          `${MLRF_TREES} × ${MLRF_ROWS}`,
          fmt(mlrf.seconds),
          fmt(mlrf.cpu),
          fmt(mlrf.accuracy, 4),
          fmt(mlrf.cpu / oursSmall.cpu, 1)
        ],
        [
          "ml-random-forest, extrapolated",
          `${TREES} × ${ROWS}`,
          "—",
          fmt(mlrf.cpu * scaleUp),
          "—",
          fmt((mlrf.cpu * scaleUp) / ours.cpu, 1)
        ]
      ]
    );
    console.log(
      "(extrapolated linearly in trees and rows, a lower bound: sorting-based CART grows as n·log n)"
    );
  }
}

async function main(): Promise<void> {
  const child = args.indexOf("--rss-child");
  if (child >= 0) return rssChild(Number(args[child + 1]), Number(args[child + 2]));

  const dir = mkdtempSync(join(tmpdir(), "mlbook-forest-"));
  const withSklearn = pythonWith(["sklearn"]) !== null;
  if (!withSklearn) console.log("note: python3 with scikit-learn not found; sklearn column skipped");
  try {
    if (!args.includes("--rss-only")) await compare(dir, withSklearn);
    if (!args.includes("--no-rss")) {
      console.log(
        `\npeak RSS fitting ${RSS_TREES} trees (max_depth=${DEPTH}) on ${RSS_ROWS} × ${FEATURES}, in child processes`
      );
      // The child runs bundled on plain node, as the CLI runs from lib/: under tsx's loader the
      // same process starts ~30 MiB larger (90 against 59 MiB before the data), which is not mlbook's.
      // Inside the repo, so that the bundle's external packages resolve from its node_modules.
      const child = fileURLToPath(
        new URL(`../node_modules/.cache/mlbook-bench/forest-${process.pid}.mjs`, import.meta.url)
      );
      await build({
        entryPoints: [fileURLToPath(import.meta.url)],
        outfile: child,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        logLevel: "error"
      });
      const r = spawnSync(process.execPath, [child, "--rss-child", String(RSS_ROWS), String(RSS_TREES)], {
        encoding: "utf8",
        cwd: fileURLToPath(new URL("..", import.meta.url))
      });
      const oursRss =
        r.status === 0
          ? (JSON.parse(r.stdout.trim().split("\n").pop()!) as {
              seconds: number;
              rss_kib: number;
              baseline_kib: number;
            })
          : null;
      if (!oursRss) console.log(`note: child failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
      let skRss: (Timing & {rss_kib: number; baseline_kib: number}) | null = null;
      if (withSklearn) {
        const big = makeClassification(RSS_ROWS, FEATURES, {seed: 3});
        const bigPaths = writeRaw(dir, "big", big.X, big.y);
        skRss = runPython(bigPaths, RSS_ROWS, RSS_TREES);
      }
      const mib = (kib: number | undefined) => (kib === undefined ? "—" : (kib / 1024).toFixed(0));
      table(
        ["fit", "wall s", "peak RSS MiB", "of which the process before the data"],
        [
          ["mlbook, 1 thread", fmt(oursRss?.seconds), mib(oursRss?.rss_kib), mib(oursRss?.baseline_kib)],
          ["sklearn, n_jobs=1", fmt(skRss?.seconds), mib(skRss?.rss_kib), mib(skRss?.baseline_kib)]
        ]
      );
      rmSync(child, {force: true});
      if (oursRss && skRss)
        console.log(
          `peak RSS ratio: ${(oursRss.rss_kib / skRss.rss_kib).toFixed(2)}× (target ≤ 1.0×): ${oursRss.rss_kib <= skRss.rss_kib ? "met" : "NOT met"}`
        );
    }
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

await main();
