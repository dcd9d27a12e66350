import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {chiSquareContingency, chiSquareTwoSample} from "../../../../src/pipeline/ml/stats/chiSquare.ts";
import {gammaincc} from "../../../../src/pipeline/ml/stats/gammaincc.ts";

const drift = JSON.parse(
  readFileSync(new URL("../../../fixtures/sklearn/drift.json", import.meta.url), "utf8")
);

describe("chiSquareTwoSample", () => {
  it("matches scipy.stats.chi2_contingency on the fixture's 2×3 table", () => {
    const r = chiSquareTwoSample(drift.chi2.a, drift.chi2.b);
    expect(r.categories).toEqual(["x", "y", "z"]);
    expect(r.dof).toBe(drift.chi2.dof);
    expect(Math.abs(r.statistic - drift.chi2.statistic)).toBeLessThan(1e-9);
    expect(Math.abs(r.pvalue - drift.chi2.pvalue)).toBeLessThan(1e-9);
  });

  it("counts a category seen in one sample only", () => {
    const r = chiSquareTwoSample(["a", "a", "b", "b"], ["a", "a", "b", "c"]);
    expect(r.categories).toEqual(["a", "b", "c"]);
    expect(r.expected[0]).toEqual([2, 1.5, 0.5]);
  });
});

describe("chiSquareContingency", () => {
  it("applies Yates' correction only for one degree of freedom", () => {
    const table = [
      [10, 5],
      [3, 12]
    ];
    // Hand computation: expected [[6.5, 8.5], [6.5, 8.5]], |o - e| = 3.5 reduced to 3 by Yates.
    const corrected = 9 / 6.5 + 9 / 8.5 + 9 / 6.5 + 9 / 8.5;
    expect(chiSquareContingency(table).statistic).toBeCloseTo(corrected, 12);
    const plain = 12.25 / 6.5 + 12.25 / 8.5 + 12.25 / 6.5 + 12.25 / 8.5;
    expect(chiSquareContingency(table, false).statistic).toBeCloseTo(plain, 12);
    expect(chiSquareContingency(table).pvalue).toBeCloseTo(gammaincc(0.5, corrected / 2), 15);
  });
});

describe("gammaincc", () => {
  it("matches closed forms: Q(1, x) = e^-x and Q(1/2, x) = erfc(√x)", () => {
    for (const x of [0.01, 0.5, 1, 3, 10, 50, 300]) {
      expect(Math.abs(gammaincc(1, x) - Math.exp(-x)) / Math.exp(-x)).toBeLessThan(1e-13);
    }
    // erfc(√2) and erfc(3) to 16 digits.
    expect(Math.abs(gammaincc(0.5, 2) - 0.04550026389635842) / 0.0455).toBeLessThan(1e-13);
    expect(Math.abs(gammaincc(0.5, 9) - 2.209049699858544e-5) / 2.209e-5).toBeLessThan(1e-13);
  });

  it("matches the chi-square survival function with k = 2m as a Poisson sum", () => {
    // Q(m, x) = e^-x Σ_{k<m} x^k / k! for integer m.
    for (const [m, x] of [
      [5, 2],
      [5, 20],
      [30, 25],
      [30, 60]
    ]) {
      let sum = 0;
      let term = 1;
      for (let k = 0; k < m; ++k) {
        sum += term;
        term *= x / (k + 1);
      }
      const expected = Math.exp(-x) * sum;
      expect(Math.abs(gammaincc(m, x) - expected) / expected).toBeLessThan(1e-12);
    }
  });
});
