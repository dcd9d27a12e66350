import {describe, expect, it} from "vitest";
import {LinearRegression} from "../../../../src/pipeline/ml/linear/linearRegression.ts";
import {Ridge, ridgeSpec} from "../../../../src/pipeline/ml/linear/ridge.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";
import {expectClose, regression, X, y} from "../regressionFixture.ts";

describe("Ridge", () => {
  it("matches sklearn's Ridge(alpha=3) coefficients and intercept", () => {
    const model = new Ridge({alpha: regression.ridge.alpha});
    model.fit(X, y);
    expectClose(model.coefficients()[0], regression.ridge.coef, 1e-6);
    expect(model.toJSON().state).toMatchObject({intercept: expect.closeTo(regression.ridge.intercept, 6)});
  });

  it("does not penalise the intercept and penalises coefficients without it", () => {
    // sklearn 1.9.1: Ridge(alpha=3.0, fit_intercept=False).fit(X + 1, y).coef_.tolist()
    const expected = [44.348626109160435, 1447.6097696283057, 2104.394607106305];
    const shifted: Features = {rows: X.rows, cols: X.cols.map((c) => c.map((v) => v + 1))};
    const model = new Ridge({alpha: 3, fit_intercept: false});
    model.fit(shifted, y);
    expectClose(model.coefficients()[0], expected, 1e-6);
    // With an intercept, shifting X only moves the intercept.
    const a = new Ridge({alpha: 3});
    a.fit(shifted, y);
    expectClose(a.coefficients()[0], regression.ridge.coef, 1e-6);
  });

  it("reduces to OLS at alpha=0 and shrinks as alpha grows", () => {
    const ols = new LinearRegression();
    ols.fit(X, y);
    const zero = new Ridge({alpha: 0});
    zero.fit(X, y);
    expectClose(zero.coefficients()[0], ols.coefficients()[0], 1e-6);
    const norms = [0, 10, 1000].map((alpha) => {
      const model = new Ridge({alpha});
      model.fit(X, y);
      return Math.hypot(...model.coefficients()[0]);
    });
    expect(norms[1]).toBeLessThan(norms[0]);
    expect(norms[2]).toBeLessThan(norms[1]);
  });

  it("round-trips through JSON bit-identically", () => {
    const model = new Ridge({alpha: 3});
    model.fit(X, y);
    const restored = ridgeSpec.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.type).toBe("ridge");
    if (restored.task === "regression") expect(restored.predict(X)).toEqual(model.predict(X));
    expect(restored.coefficients?.()).toEqual(model.coefficients());
  });

  it("validates params", () => {
    expect(ridgeSpec.params.parse({})).toEqual({alpha: 1, fit_intercept: true});
    expect(() => ridgeSpec.params.parse({alpha: -1})).toThrow();
    expect(() => ridgeSpec.params.parse({alpha: 1, solver: "svd"})).toThrow();
  });
});
