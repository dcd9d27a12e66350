import {readFileSync} from "node:fs";
import {expect} from "vitest";
import type {Features} from "../../../src/pipeline/ml/types.ts";

interface Fixture {
  regression: {
    X: number[][];
    y: number[];
    ols: {coef: number[]; intercept: number};
    ridge: {alpha: number; coef: number[]; intercept: number};
  };
}

/** The regression part of sklearn's linear_models.json fixture, as column-major features. */
export const {regression}: Fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/sklearn/linear_models.json", import.meta.url), "utf8")
);

export const X: Features = {
  rows: regression.X.length,
  cols: regression.X[0].map((_, j) => Float64Array.from(regression.X, (r) => r[j]))
};

export const y = Float64Array.from(regression.y);

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; ++i) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tolerance);
}
