import {describe, expect, it} from "vitest";
import type {Features, FitOptions} from "../../../../src/pipeline/ml/types.ts";
import {crossValidate} from "../../../../src/pipeline/ml/validation/crossValidate.ts";
import {majorityClassifier, meanRegressor} from "./estimators.ts";

const column = (n: number): Features => ({rows: n, cols: [Float64Array.from({length: n}, (_, i) => i)]});
// 30 rows of class 0 then 20 of class 1: sorted, so unstratified contiguous folds see skewed classes.
const y = Int32Array.from({length: 50}, (_, i) => (i < 30 ? 0 : 1));
const X = column(50);

describe("crossValidate", () => {
  it("stratifies classifiers by default: every fold holds 6 + 4 rows and the majority class scores 0.6", async () => {
    const seen: FitOptions[] = [];
    const cv = await crossValidate(() => majorityClassifier(seen), X, y, {
      seed: 3,
      metrics: ["accuracy", "f1_macro", "log_loss", "roc_auc"]
    });
    expect(cv.folds).toHaveLength(5);
    // Trained on 24 + 16 rows: always predicts 0, with probabilities 0.6 / 0.4.
    const entropy = -(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4));
    for (const f of cv.folds) {
      expect(f.accuracy).toBeCloseTo(0.6, 12);
      expect(f.f1_macro).toBeCloseTo(0.75 / 2, 12);
      expect(f.log_loss).toBeCloseTo(entropy, 12);
      expect(f.roc_auc).toBeCloseTo(0.5, 12);
    }
    expect(cv.mean.accuracy).toBeCloseTo(0.6, 12);
    expect(cv.std.accuracy).toBeCloseTo(0, 12);
    expect(cv.mean.log_loss).toBeCloseTo(entropy, 12);
    expect(seen.map((o) => o.seed)).toEqual([3, 3, 3, 3, 3]);
    expect(seen.every((o) => o.nClasses === 2)).toBe(true);
  });

  it("uses contiguous folds when not stratified, with numpy's population std", async () => {
    const cv = await crossValidate(() => majorityClassifier(), X, y, {stratified: false});
    // Folds 0-2 test only class 0 and train on ≥ as many 0s as 1s; folds 3-4 test only class 1.
    expect(cv.folds.map((f) => f.accuracy)).toEqual([1, 1, 1, 0, 0]);
    expect(cv.mean.accuracy).toBeCloseTo(0.6, 12);
    expect(cv.std.accuracy).toBeCloseTo(Math.sqrt(0.24), 12);
  });

  it("scores regressors with regression metrics", async () => {
    const target = Float64Array.from({length: 10}, (_, i) => i);
    const cv = await crossValidate(meanRegressor, column(10), target, {metrics: ["mae", "r2"]});
    // Fold f tests rows 2f, 2f+1 against the mean of the other eight, 5.5 − f/2.
    const expected = [0, 1, 2, 3, 4].map(
      (f) => (Math.abs(2 * f - (5.5 - f / 2)) + Math.abs(2 * f + 1 - (5.5 - f / 2))) / 2
    );
    cv.folds.forEach((fold, f) => expect(fold.mae).toBeCloseTo(expected[f], 12));
    expect(cv.mean.mae).toBeCloseTo(3.1, 12);
    // Each held-out pair has a total sum of squares of 0.5 around its own mean.
    cv.folds.forEach((fold, f) => {
      const m = 5.5 - f / 2;
      expect(fold.r2).toBeCloseTo(1 - ((2 * f - m) ** 2 + (2 * f + 1 - m) ** 2) / 0.5, 12);
    });
  });

  it("defaults to the estimator's own score and rejects mismatched or unknown metrics", async () => {
    const cv = await crossValidate(() => majorityClassifier(), X, y, {folds: 2});
    expect(Object.keys(cv.mean)).toEqual(["accuracy"]);
    const reg = await crossValidate(meanRegressor, column(10), new Float64Array(10).fill(1), {folds: 2});
    expect(reg.mean.r2).toBe(1);
    await expect(crossValidate(() => majorityClassifier(), X, y, {metrics: ["r2"]})).rejects.toThrow(
      /crossValidate.metrics: "r2" \(expected a classification metric\)/
    );
    await expect(crossValidate(() => majorityClassifier(), X, y, {metrics: ["f3"]})).rejects.toThrow(
      /invalid crossValidate.metrics.0: "f3"/
    );
    await expect(crossValidate(() => majorityClassifier(), X, y.subarray(1))).rejects.toThrow(
      /50 rows but y has 49/
    );
  });
});
