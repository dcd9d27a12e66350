import {describe, expect, it} from "vitest";
import {
  explainedVariance,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  regressionReport,
  rootMeanSquaredError
} from "../../../../src/pipeline/ml/metrics/index.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {regression as fx} from "./fixtures.ts";

const yTrue = Float64Array.from(fx.y_true),
  yPred = Float64Array.from(fx.y_pred);

describe("regression metrics", () => {
  it("match sklearn on the fixture", () => {
    expect(r2(yTrue, yPred)).toBeCloseTo(fx.r2, 9);
    expect(meanAbsoluteError(yTrue, yPred)).toBeCloseTo(fx.mae, 9);
    expect(meanSquaredError(yTrue, yPred)).toBeCloseTo(fx.mse, 9);
    expect(rootMeanSquaredError(yTrue, yPred)).toBeCloseTo(fx.rmse, 9);
    expect(medianAbsoluteError(yTrue, yPred)).toBeCloseTo(fx.median_ae, 9);
    expect(explainedVariance(yTrue, yPred)).toBeCloseTo(fx.explained_variance, 9);
    expect(meanAbsolutePercentageError(yTrue, yPred)).toBeCloseTo(fx.mape, 9);
  });

  it("the report carries the same numbers", () => {
    const r = regressionReport(fx.y_true, fx.y_pred);
    expect(r).toMatchObject({n: 150});
    expect(r.r2).toBeCloseTo(fx.r2, 9);
    expect(r.rmse).toBeCloseTo(fx.rmse, 9);
    expect(r.medianAe).toBeCloseTo(fx.median_ae, 9);
    expect(r.explainedVariance).toBeCloseTo(fx.explained_variance, 9);
    expect(r.mape).toBeCloseTo(fx.mape, 9);
  });

  it("edge cases as sklearn returns them", () => {
    // Constant target: 1 for a perfect fit, else 0 (force_finite).
    expect(r2([2, 2], [2, 2])).toBe(1);
    expect(r2([2, 2], [1, 3])).toBe(0);
    // A constant bias costs R² but not explained variance.
    expect(explainedVariance([1, 2, 3], [2, 3, 4])).toBe(1);
    expect(r2([1, 2, 3], [2, 3, 4])).toBeCloseTo(-0.5, 12);
    // Odd and even medians; zero targets floored at eps.
    expect(medianAbsoluteError([0, 0, 0], [1, 5, 2])).toBe(2);
    expect(medianAbsoluteError([0, 0, 0, 0], [1, 5, 2, 9])).toBe(3.5);
    expect(meanAbsolutePercentageError([0], [1])).toBe(1 / Number.EPSILON);
  });

  it("median absolute error by selection equals the sorted median, ties and even counts included", () => {
    const rng = createRng(1);
    for (let trial = 0; trial < 200; ++trial) {
      const n = 1 + rng.int(40);
      const yT = Float64Array.from({length: n}, () => rng.int(6));
      const yP = Float64Array.from({length: n}, () => (rng.next() < 0.5 ? rng.int(6) : rng.normal()));
      const d = Array.from(yT, (v, i) => Math.abs(v - yP[i])).sort((a, b) => a - b);
      const expected = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
      expect(medianAbsoluteError(yT, yP)).toBe(expected);
    }
  });
});
