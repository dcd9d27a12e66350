import {describe, expect, it} from "vitest";
import {LinearRegression, linearRegressionSpec} from "../../../../src/pipeline/ml/linear/linearRegression.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";
import {expectClose, regression, X, y} from "../regressionFixture.ts";

describe("LinearRegression", () => {
  it("matches sklearn's OLS coefficients and intercept", () => {
    const model = new LinearRegression();
    model.fit(X, y);
    expectClose(model.coefficients()[0], regression.ols.coef, 1e-6);
    expect(model.toJSON().state).toMatchObject({intercept: expect.closeTo(regression.ols.intercept, 6)});
  });

  it("gives the minimum-norm solution when a column is repeated, like sklearn's lstsq", () => {
    // sklearn 1.9.1: LinearRegression().fit(np.column_stack([X, X[:, 0]]), y).coef_.tolist()
    const expected = [9.18959756747527, 34.99779672394226, 710.0075736130539, 9.189597567475118];
    const model = new LinearRegression();
    model.fit({rows: X.rows, cols: [...X.cols, X.cols[0]]}, y);
    expectClose(model.coefficients()[0], expected, 1e-6);
  });

  it("fits through the origin without an intercept", () => {
    // sklearn 1.9.1: LinearRegression(fit_intercept=False).fit(X + 1, y).coef_.tolist()
    const expected = [12.556942120355112, 1459.3719060774683, 2137.6298903729303];
    const shifted: Features = {rows: X.rows, cols: X.cols.map((c) => c.map((v) => v + 1))};
    const model = new LinearRegression({fit_intercept: false});
    model.fit(shifted, y);
    expectClose(model.coefficients()[0], expected, 1e-6);
    expect(model.toJSON().state).toMatchObject({intercept: 0});
  });

  it("predicts Xw + b, round-trips through JSON bit-identically and leaves its inputs alone", () => {
    const before = X.cols.map((c) => c.slice());
    const model = new LinearRegression();
    model.fit(X, y);
    expect(X.cols).toEqual(before);
    const predicted = model.predict(X);
    const w = model.coefficients()[0];
    const {intercept} = model.toJSON().state as {intercept: number};
    expect(predicted[5]).toBeCloseTo(
      intercept + w[0] * X.cols[0][5] + w[1] * X.cols[1][5] + w[2] * X.cols[2][5],
      9
    );
    const restored = linearRegressionSpec.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.task).toBe("regression");
    if (restored.task === "regression") expect(restored.predict(X)).toEqual(predicted);
  });

  it("validates params and inputs", () => {
    expect(linearRegressionSpec.params.parse({})).toEqual({fit_intercept: true});
    expect(() => linearRegressionSpec.params.parse({normalize: true})).toThrow();
    expect(() => new LinearRegression().fit(X, y.subarray(1))).toThrow(/invalid y/);
    expect(() => new LinearRegression().predict(X)).toThrow(/not fitted/);
    expect(() =>
      linearRegressionSpec.fromJSON({type: "ridge", task: "regression", params: {}, state: {}})
    ).toThrow(/invalid type/);
  });
});
