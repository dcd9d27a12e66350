import {describe, expect, it} from "vitest";
import {makeClassification, makeRegression} from "../../../../bench/data.ts";
import {HistGradientBoostingClassifier} from "../../../../src/pipeline/ml/hgb/HistGradientBoostingClassifier.ts";
import {HistGradientBoostingRegressor} from "../../../../src/pipeline/ml/hgb/HistGradientBoostingRegressor.ts";
import {histGradientBoostingSpec} from "../../../../src/pipeline/ml/hgb/histGradientBoosting.ts";
import type {Classifier, Features, Regressor} from "../../../../src/pipeline/ml/types.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {validationSplit} from "../../../../src/pipeline/ml/hgb/validationSplit.ts";

const defaults = (extra: Record<string, unknown> = {}) => histGradientBoostingSpec.params.parse(extra);

function rows(X: Features, from: number, to: number): Features {
  return {rows: to - from, cols: X.cols.map((c) => c.slice(from, to))};
}

function accuracy(pred: Int32Array, y: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < y.length; ++i) hits += pred[i] === y[i] ? 1 : 0;
  return hits / y.length;
}

function majorityRate(y: Int32Array): number {
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Math.max(...counts.values()) / y.length;
}

function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let ssRes = 0,
    ssTot = 0;
  for (let i = 0; i < y.length; ++i) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

/** First 3,000 rows to train, last 1,000 to score, as the sklearn reference numbers below. */
function holdout<T extends Int32Array | Float64Array>(X: Features, y: T) {
  return {
    Xtr: rows(X, 0, 3000),
    ytr: y.slice(0, 3000) as T,
    Xte: rows(X, 3000, 4000),
    yte: y.slice(3000) as T
  };
}

// sklearn 1.9.1 references: bench/data.ts generators with the same arguments, written with
// writeRaw, then in python HistGradientBoosting{Classifier,Regressor}(random_state=0) fit on
// X[:3000], scored on X[3000:] (accuracy_score / r2_score). No early stopping at 3,000 rows.
const SKLEARN_BINARY_ACCURACY = 0.931; // makeClassification(4000, 10, {seed: 11})
const SKLEARN_MULTICLASS_ACCURACY = 0.882; // makeClassification(4000, 10, {classes: 3, seed: 12})
const SKLEARN_REGRESSION_R2 = 0.9845025032710398; // makeRegression(4000, 10, {seed: 13})

describe("HistGradientBoostingClassifier", () => {
  it("learns an XOR interaction no single split can", () => {
    const rng = createRng(3);
    const n = 2000;
    const cols = [new Float64Array(n), new Float64Array(n)];
    const y = new Int32Array(n);
    for (let i = 0; i < n; ++i) {
      cols[0][i] = rng.next() * 2 - 1;
      cols[1][i] = rng.next() * 2 - 1;
      y[i] = cols[0][i] * cols[1][i] > 0 ? 1 : 0;
    }
    const X = {rows: n, cols};
    const model = new HistGradientBoostingClassifier(defaults());
    model.fit(rows(X, 0, 1500), y.slice(0, 1500));
    expect(accuracy(model.predict(rows(X, 1500, n)), y.slice(1500))).toBeGreaterThan(0.95);
  });

  it("matches sklearn's accuracy on binary data and beats the majority class", () => {
    const {X, y} = makeClassification(4000, 10, {seed: 11});
    const {Xtr, ytr, Xte, yte} = holdout(X, y);
    const model = new HistGradientBoostingClassifier(defaults());
    model.fit(Xtr, ytr);
    const acc = accuracy(model.predict(Xte), yte);
    expect(acc).toBeGreaterThan(majorityRate(yte) + 0.25);
    expect(Math.abs(acc - SKLEARN_BINARY_ACCURACY)).toBeLessThanOrEqual(0.015);
    const proba = model.predictProba(Xte);
    expect(proba).toHaveLength(2);
    for (let i = 0; i < 10; ++i) expect(proba[0][i] + proba[1][i]).toBeCloseTo(1, 12);
  });

  it("matches sklearn's accuracy on 3-class data with one tree per class per iteration", () => {
    const {X, y} = makeClassification(4000, 10, {classes: 3, seed: 12});
    const {Xtr, ytr, Xte, yte} = holdout(X, y);
    const model = new HistGradientBoostingClassifier(defaults());
    model.fit(Xtr, ytr);
    const acc = accuracy(model.predict(Xte), yte);
    expect(acc).toBeGreaterThan(majorityRate(yte) + 0.3);
    expect(Math.abs(acc - SKLEARN_MULTICLASS_ACCURACY)).toBeLessThanOrEqual(0.015);
    const state = model.toJSON().state as {trees: unknown[][]};
    expect(state.trees).toHaveLength(100);
    expect(state.trees[0]).toHaveLength(3);
    const proba = model.predictProba(Xte);
    for (let i = 0; i < 10; ++i) expect(proba[0][i] + proba[1][i] + proba[2][i]).toBeCloseTo(1, 12);
  });

  it("uses missing values as a signal and routes NaN at prediction time", () => {
    const rng = createRng(5);
    const n = 2000;
    const cols = [new Float64Array(n), new Float64Array(n)];
    const y = new Int32Array(n);
    for (let i = 0; i < n; ++i) {
      const missing = rng.next() < 0.3;
      cols[0][i] = missing ? NaN : rng.next();
      cols[1][i] = rng.normal();
      y[i] = missing || cols[0][i] > 0.7 ? 1 : 0;
    }
    const X = {rows: n, cols};
    const model = new HistGradientBoostingClassifier(defaults());
    model.fit(rows(X, 0, 1500), y.slice(0, 1500));
    expect(accuracy(model.predict(rows(X, 1500, n)), y.slice(1500))).toBeGreaterThan(0.99);
    // NaN in column 1, which had none in training, follows the larger child and still predicts.
    const probe = {rows: 3, cols: [Float64Array.of(NaN, 0.1, 0.9), Float64Array.of(NaN, NaN, NaN)]};
    expect(Array.from(model.predict(probe))).toEqual([1, 0, 1]);
  });

  it("is deterministic for a seed and restores from JSON bit for bit", () => {
    const {X, y} = makeClassification(12_000, 6, {classes: 3, seed: 7});
    const params = defaults({max_iter: 15});
    const a = new HistGradientBoostingClassifier(params);
    const b = new HistGradientBoostingClassifier(params);
    a.fit(X, y, {seed: 4});
    b.fit(X, y, {seed: 4});
    const probe = rows(X, 0, 500);
    expect(b.predictProba(probe)).toEqual(a.predictProba(probe));
    const restored = histGradientBoostingSpec.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))) as Classifier;
    expect(restored.predictProba(probe)).toEqual(a.predictProba(probe));
    expect(restored.predict(probe)).toEqual(a.predict(probe));
    expect(restored.featureImportances!()).toEqual(a.featureImportances());
  });

  it("stops early once the validation loss plateaus", () => {
    const rng = createRng(9);
    const n = 12_000; // above 10,000 rows, early_stopping="auto" turns on
    const cols = Array.from({length: 3}, () => Float64Array.from({length: n}, () => rng.normal()));
    const y = Int32Array.from(cols[0], (v) => (v + 0.5 * rng.normal() > 0 ? 1 : 0));
    const model = new HistGradientBoostingClassifier(defaults());
    model.fit({rows: n, cols}, y);
    expect(model.nIter).toBeLessThan(100);
    expect(model.validationScore).toHaveLength(model.nIter + 1);
    const off = new HistGradientBoostingClassifier(defaults({early_stopping: false, max_iter: 30}));
    off.fit({rows: n, cols}, y);
    expect(off.nIter).toBe(30);
  });

  it("ranks informative features above noise in its gain importances", () => {
    const {X, y} = makeClassification(3000, 10, {informative: 3, seed: 2});
    const model = new HistGradientBoostingClassifier(defaults({max_iter: 30}));
    model.fit(X, y);
    const imp = model.featureImportances();
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(Math.min(imp[0], imp[1], imp[2])).toBeGreaterThan(Math.max(...imp.slice(3)));
  });
});

describe("HistGradientBoostingRegressor", () => {
  it("matches sklearn's R² with squared error", () => {
    const {X, y} = makeRegression(4000, 10, {seed: 13});
    const {Xtr, ytr, Xte, yte} = holdout(X, y);
    const model = new HistGradientBoostingRegressor(defaults());
    model.fit(Xtr, ytr);
    const score = r2(model.predict(Xte), yte);
    expect(score).toBeGreaterThan(0.9);
    expect(Math.abs(score - SKLEARN_REGRESSION_R2)).toBeLessThanOrEqual(0.02);
  });

  it("restores from JSON bit for bit, NaN splits included", () => {
    const {X, y} = makeRegression(1500, 4, {seed: 1});
    for (let i = 0; i < X.rows; i += 4) X.cols[1][i] = NaN;
    const model = histGradientBoostingSpec.create(defaults({max_iter: 20}), "regression") as Regressor;
    model.fit(X, y);
    const restored = histGradientBoostingSpec.fromJSON(
      JSON.parse(JSON.stringify(model.toJSON()))
    ) as Regressor;
    expect(restored.predict(X)).toEqual(model.predict(X));
  });

  it("stops early on a target that is pure noise", () => {
    const rng = createRng(2);
    const n = 3000;
    const cols = Array.from({length: 3}, () => Float64Array.from({length: n}, () => rng.normal()));
    const y = Float64Array.from({length: n}, () => rng.normal());
    const model = new HistGradientBoostingRegressor(defaults({early_stopping: true}));
    model.fit({rows: n, cols}, y);
    expect(model.nIter).toBeLessThan(30);
  });
});

describe("histGradientBoostingSpec", () => {
  it("defaults to sklearn's params and rejects unknown keys", () => {
    expect(defaults()).toEqual({
      learning_rate: 0.1,
      max_iter: 100,
      max_leaf_nodes: 31,
      max_depth: null,
      min_samples_leaf: 20,
      l2_regularization: 0,
      max_bins: 255,
      early_stopping: "auto",
      validation_fraction: 0.1,
      n_iter_no_change: 10,
      tol: 1e-7,
      seed: 0
    });
    expect(() => histGradientBoostingSpec.params.parse({n_estimators: 10})).toThrow();
    expect(() => histGradientBoostingSpec.params.parse({early_stopping: "yes"})).toThrow();
    expect(histGradientBoostingSpec.tasks).toEqual(["classification", "regression"]);
  });
});

describe("early stopping on given validation rows (fit's options.validation)", () => {
  it("grows the trees it grows on the same rows held out by validation_fraction", () => {
    const {X, y} = makeClassification(3000, 5, {classes: 3, seed: 21});
    const params = defaults({
      early_stopping: true,
      validation_fraction: 0.2,
      n_iter_no_change: 3,
      max_iter: 80,
      seed: 4
    });
    // The split early stopping makes of its own: the first fork of the seed's stream, stratified.
    const split = validationSplit(X.rows, 0.2, createRng(4).fork(), y);
    const rows = (idx: Uint32Array): Features => ({
      rows: idx.length,
      cols: X.cols.map((c) => Float64Array.from(idx, (i) => c[i]))
    });
    const own = new HistGradientBoostingClassifier(params);
    own.fit(X, y);
    const given = new HistGradientBoostingClassifier(params);
    given.fit(
      rows(split.train),
      Int32Array.from(split.train, (i) => y[i]),
      {
        validation: {X: rows(split.validation), y: Int32Array.from(split.validation, (i) => y[i])}
      }
    );
    expect(own.nIter).toBeLessThan(80);
    expect(given.nIter).toBe(own.nIter);
    expect(given.validationScore).toEqual(own.validationScore);
    expect(JSON.stringify(given.toJSON())).toBe(JSON.stringify(own.toJSON()));
  });
});
