import {describe, expect, it} from "vitest";
import {permutationImportance} from "../../../../src/pipeline/ml/importance/permutation.ts";
import type {Classifier, Features, Regressor} from "../../../../src/pipeline/ml/types.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";

const n = 200;
const rng = createRng(42);
const X: Features = {rows: n, cols: [0, 1, 2].map(() => Float64Array.from({length: n}, () => rng.normal()))};
const y = Int32Array.from(X.cols[1], (v) => (v > 0 ? 1 : 0));

// Looks at column 1 only, so shuffling any other column cannot change a single prediction.
const signOfColumn1: Classifier = {
  type: "sign",
  task: "classification",
  fit() {},
  predict: (A) => Int32Array.from(A.cols[1], (v) => (v > 0 ? 1 : 0)),
  predictProba: (A) => [
    Float64Array.from(A.cols[1], (v) => (v > 0 ? 0.1 : 0.9)),
    Float64Array.from(A.cols[1], (v) => (v > 0 ? 0.9 : 0.1))
  ],
  toJSON: () => ({type: "sign", task: "classification", params: {}, state: null})
};

const twiceColumn0: Regressor = {
  type: "twice",
  task: "regression",
  fit() {},
  predict: (A) => Float64Array.from(A.cols[0], (v) => 2 * v),
  toJSON: () => ({type: "twice", task: "regression", params: {}, state: null})
};

describe("permutationImportance", () => {
  it("finds the one column the model reads; the others are exactly 0", () => {
    const before = X.cols.map((c) => Float64Array.from(c));
    const r = permutationImportance(signOfColumn1, X, y, {nRepeats: 8, seed: 1});
    expect(r.baseline).toBe(1);
    expect(r.importances).toHaveLength(3);
    for (const j of [0, 2]) {
      expect(Array.from(r.importances[j])).toEqual(new Array(8).fill(0));
      expect(r.mean[j]).toBe(0);
      expect(r.std[j]).toBe(0);
    }
    expect(r.mean[1]).toBeGreaterThan(0.3);
    expect(r.mean[1]).toBeLessThan(0.7);
    // A shuffle keeps the count of positives, so misses come in pairs (a 1 lost for a 1 gained):
    // every drop in accuracy is an even number of rows.
    for (const v of r.importances[1]) expect(Math.round(v * n) % 2).toBe(0);
    // X is untouched.
    X.cols.forEach((c, j) => expect(c).toEqual(before[j]));
  });

  it("scores every shuffled copy in one stacked prediction, each copy as if alone", () => {
    const sizes: number[] = [];
    const counting: Classifier = {
      ...signOfColumn1,
      predict: (A) => (sizes.push(A.rows), signOfColumn1.predict(A))
    };
    const stacked = permutationImportance(counting, X, y, {nRepeats: 4, seed: 3});
    // The baseline, then 3 features × 4 repeats in one call.
    expect(sizes).toEqual([n, 12 * n]);
    // Copy by copy, with the same shuffles, as one prediction per copy would score them.
    const rng2 = createRng(3);
    for (let j = 0; j < 3; ++j) {
      const featureRng = rng2.fork();
      const order = Int32Array.from({length: n}, (_, i) => i);
      for (let r = 0; r < 4; ++r) {
        featureRng.shuffle(order);
        const cols = X.cols.slice();
        cols[j] = Float64Array.from(order, (i) => X.cols[j][i]);
        const predicted = signOfColumn1.predict({rows: n, cols});
        const accuracy = predicted.reduce((hits, p, i) => hits + (p === y[i] ? 1 : 0), 0) / n;
        expect(stacked.importances[j][r]).toBe(stacked.baseline - accuracy);
      }
    }
  });

  it("reports the mean and numpy's population std of the repeats", () => {
    const r = permutationImportance(signOfColumn1, X, y, {nRepeats: 6, seed: 5});
    const v = Array.from(r.importances[1]);
    const mu = v.reduce((a, b) => a + b) / v.length;
    expect(r.mean[1]).toBeCloseTo(mu, 14);
    expect(r.std[1]).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length), 14);
    expect(new Set(v).size).toBeGreaterThan(1);
  });

  it("is deterministic per seed", () => {
    const a = permutationImportance(signOfColumn1, X, y, {seed: 9});
    expect(a.importances[1]).toHaveLength(5);
    expect(permutationImportance(signOfColumn1, X, y, {seed: 9})).toEqual(a);
    expect(permutationImportance(signOfColumn1, X, y, {seed: 10}).importances[1]).not.toEqual(
      a.importances[1]
    );
  });

  it("negates losses, so a useful feature still has a positive importance", () => {
    const r = permutationImportance(signOfColumn1, X, y, {metric: "log_loss", nRepeats: 3});
    expect(r.baseline).toBeCloseTo(Math.log(0.9), 12);
    expect(r.mean[1]).toBeGreaterThan(0);
    expect(r.mean[0]).toBe(0);

    const target = Float64Array.from(X.cols[0], (v) => 2 * v);
    const reg = permutationImportance(twiceColumn0, X, target, {metric: "rmse", nRepeats: 3});
    expect(reg.baseline).toBeCloseTo(0, 15);
    expect(reg.mean[0]).toBeGreaterThan(1);
    expect(Array.from(reg.mean.subarray(1))).toEqual([0, 0]);
    // The default metric is the estimator's own score, r2 here.
    expect(permutationImportance(twiceColumn0, X, target).baseline).toBe(1);
  });

  it("rejects a metric of the wrong task", () => {
    expect(() => permutationImportance(signOfColumn1, X, y, {metric: "r2"})).toThrow(
      /permutationImportance.metric: "r2" \(expected a classification metric\)/
    );
    expect(() => permutationImportance(signOfColumn1, X, y, {nRepeats: 0})).toThrow(
      /invalid permutationImportance.nRepeats: 0/
    );
  });
});
