// 5-fold cross-validation of every estimator beside scikit-learn's, on the same rows and folds:
// penguins (3 classes), breast cancer (binary) and diabetes (regression). Folds are unshuffled
// KFold on both sides and each fold standardises on its training rows, so the only difference
// is the estimators. Target: within 1.5 accuracy points or 0.02 R².
import {spawnSync} from "node:child_process";
import {mkdtempSync, readFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {scoreByName} from "../src/pipeline/ml/metrics/index.ts";
import {modelSpec} from "../src/pipeline/ml/registry.ts";
import type {Features} from "../src/pipeline/ml/types.ts";
import {kFold} from "../src/pipeline/ml/validation/kfold.ts";
import {hasPython} from "./measure.ts";

if (!hasPython(["sklearn", "pandas"])) {
  console.log("(python3 with scikit-learn and pandas not found: nothing to compare against)");
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "mlbook-cv-"));
const penguins = join(process.cwd(), "node_modules", "vega-datasets", "data", "penguins.json");

interface Case {
  model: string;
  params: Record<string, unknown>;
  sk: string;
}
const classifiers: Case[] = [
  {model: "logistic_regression", params: {C: 1}, sk: "LogisticRegression(C=1.0, max_iter=1000)"},
  {model: "decision_tree", params: {max_depth: 5}, sk: "DecisionTreeClassifier(max_depth=5, random_state=0)"},
  {
    model: "random_forest",
    params: {n_estimators: 100},
    sk: "RandomForestClassifier(n_estimators=100, random_state=0)"
  },
  {model: "hist_gradient_boosting", params: {}, sk: "HistGradientBoostingClassifier(random_state=0)"}
];
const regressors: Case[] = [
  {model: "linear_regression", params: {}, sk: "LinearRegression()"},
  {model: "ridge", params: {alpha: 1}, sk: "Ridge(alpha=1.0)"},
  {model: "decision_tree", params: {max_depth: 5}, sk: "DecisionTreeRegressor(max_depth=5, random_state=0)"},
  {
    model: "random_forest",
    params: {n_estimators: 100},
    sk: "RandomForestRegressor(n_estimators=100, random_state=0)"
  },
  {model: "hist_gradient_boosting", params: {}, sk: "HistGradientBoostingRegressor(random_state=0)"}
];

// Python writes the three datasets as CSV (numeric features, last column the target) and scores them.
const script = `
import json, sys, numpy as np, pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression, LinearRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
d = sys.argv[1]
p = pd.read_json(sys.argv[2]).dropna()
p = p[["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Species"]]
p["Species"] = p["Species"].astype("category").cat.codes
p.to_csv(f"{d}/penguins.csv", index=False, header=False)
b = load_breast_cancer(); pd.DataFrame(np.column_stack([b.data, b.target])).to_csv(f"{d}/cancer.csv", index=False, header=False)
r = load_diabetes(); pd.DataFrame(np.column_stack([r.data, r.target])).to_csv(f"{d}/diabetes.csv", index=False, header=False)
out = {}
for name, cases, scoring in [("penguins", ${JSON.stringify(classifiers.map((c) => c.sk))}, "accuracy"), ("cancer", ${JSON.stringify(
  classifiers.map((c) => c.sk)
)}, "accuracy"), ("diabetes", ${JSON.stringify(regressors.map((c) => c.sk))}, "r2")]:
    data = np.loadtxt(f"{d}/{name}.csv", delimiter=",")
    X, y = data[:, :-1], data[:, -1]
    out[name] = [float(cross_val_score(make_pipeline(StandardScaler(), eval(c)), X, y, cv=KFold(5), scoring=scoring).mean()) for c in cases]
print(json.dumps(out))
`;
const py = spawnSync("python3", ["-c", script, dir, penguins], {
  encoding: "utf8",
  env: {...process.env, OMP_NUM_THREADS: "1"}
});
if (py.status !== 0) throw new Error(py.stderr);
const sklearn = JSON.parse(py.stdout.trim().split("\n").pop()!) as Record<string, number[]>;

function load(name: string): {X: Features; y: Float64Array} {
  const rows = readFileSync(join(dir, `${name}.csv`), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(",").map(Number));
  const p = rows[0].length - 1;
  return {
    X: {rows: rows.length, cols: Array.from({length: p}, (_, j) => Float64Array.from(rows, (r) => r[j]))},
    y: Float64Array.from(rows, (r) => r[p])
  };
}

function standardise(train: Features, test: Features): [Features, Features] {
  const fit = train.cols.map((c) => {
    const mean = c.reduce((a, b) => a + b, 0) / c.length;
    const std = Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / c.length) || 1;
    return {mean, std};
  });
  const apply = (X: Features) => ({
    rows: X.rows,
    cols: X.cols.map((c, j) => c.map((v) => (v - fit[j].mean) / fit[j].std))
  });
  return [apply(train), apply(test)];
}

async function cv(name: string, c: Case, task: "classification" | "regression"): Promise<number> {
  const {X, y} = load(name);
  const scores: number[] = [];
  for (const fold of kFold(X.rows, {folds: 5})) {
    const take = (idx: Int32Array): Features => ({
      rows: idx.length,
      cols: X.cols.map((col) => Float64Array.from(idx, (i) => col[i]))
    });
    const [train, test] = standardise(take(fold.train), take(fold.test));
    const spec = modelSpec(c.model);
    const model = spec.create(spec.params.parse(c.params), task);
    if (model.task === "classification") {
      const labels = Int32Array.from(fold.train, (i) => y[i]);
      await model.fit(train, labels, {seed: Number(process.env.CV_SEED ?? 0), nClasses: Math.max(...y) + 1});
      scores.push(
        scoreByName(
          "accuracy",
          Int32Array.from(fold.test, (i) => y[i]),
          model.predict(test)
        )
      );
    } else {
      await model.fit(
        train,
        Float64Array.from(fold.train, (i) => y[i]),
        {seed: 0}
      );
      scores.push(
        scoreByName(
          "r2",
          Float64Array.from(fold.test, (i) => y[i]),
          model.predict(test)
        )
      );
    }
  }
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

console.log("dataset   model                    mlbook    sklearn   diff     within target");
for (const [name, cases, task] of [
  ["penguins", classifiers, "classification"],
  ["cancer", classifiers, "classification"],
  ["diabetes", regressors, "regression"]
] as const) {
  for (let i = 0; i < cases.length; ++i) {
    const ours = await cv(name, cases[i], task);
    const theirs = sklearn[name][i];
    const diff = ours - theirs;
    const ok = task === "classification" ? Math.abs(diff) <= 0.015 : Math.abs(diff) <= 0.02;
    console.log(
      `${name.padEnd(9)} ${cases[i].model.padEnd(24)} ${ours.toFixed(4).padStart(7)}   ${theirs.toFixed(4).padStart(7)}   ${diff >= 0 ? "+" : ""}${diff.toFixed(4)}  ${ok ? "yes" : "NO"}`
    );
  }
}
