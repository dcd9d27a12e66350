import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {kolmogorovSf} from "../../../../src/pipeline/ml/stats/kolmogorov.ts";
import {ksTwoSample} from "../../../../src/pipeline/ml/stats/ksTwoSample.ts";

const drift = JSON.parse(
  readFileSync(new URL("../../../fixtures/sklearn/drift.json", import.meta.url), "utf8")
);

describe("ksTwoSample", () => {
  it("matches scipy.stats.ks_2samp on the fixture (400 vs 300: exact p-value)", () => {
    const r = ksTwoSample(Float64Array.from(drift.ks.a), Float64Array.from(drift.ks.b));
    expect(r.method).toBe("exact");
    expect(Math.abs(r.statistic - drift.ks.statistic)).toBeLessThan(1e-12);
    expect(Math.abs(r.pvalue - drift.ks.pvalue) / drift.ks.pvalue).toBeLessThan(1e-9);
  });

  it("is symmetric in its samples for the two-sided test and flips the sign", () => {
    const a = Float64Array.from(drift.ks.a);
    const b = Float64Array.from(drift.ks.b);
    const ab = ksTwoSample(a, b);
    const ba = ksTwoSample(b, a);
    expect(ba.statistic).toBe(ab.statistic);
    expect(ba.pvalue).toBeCloseTo(ab.pvalue, 14);
    expect(ba.statisticSign).toBe(-ab.statisticSign);
  });

  it("gives p = 1 for identical samples and ignores NaN", () => {
    const a = Float64Array.from([1, 2, 3, NaN, 4]);
    const r = ksTwoSample(a, Float64Array.from([4, 3, 2, 1]));
    expect(r.statistic).toBe(0);
    expect(r.pvalue).toBe(1);
  });

  it("computes the exact small-sample p-value by lattice-path counting", () => {
    // Fully separated samples of 3 and 2: only 2 of the C(5,2) = 10 orderings reach D = 1.
    const r = ksTwoSample(Float64Array.from([1, 2, 3]), Float64Array.from([10, 11]));
    expect(r.statistic).toBe(1);
    expect(r.pvalue).toBeCloseTo(0.2, 15);
    const one = ksTwoSample(Float64Array.from([1, 2, 3]), Float64Array.from([10, 11]), {
      alternative: "greater"
    });
    expect(one.pvalue).toBeCloseTo(0.1, 15);
  });

  it("switches to the asymptotic distribution above 10 000 values per sample", () => {
    const n = 10001;
    const a = Float64Array.from({length: n}, (_, i) => i / n);
    const b = Float64Array.from({length: n}, (_, i) => i / n + 0.02);
    const r = ksTwoSample(a, b);
    expect(r.method).toBe("asymp");
    // scipy 1.17.1: ks_2samp(a, b) on these arrays; n·m/(n+m) = 5000.5 rounds to even, 5000.
    expect(r.statistic).toBe(0.020097990200979965);
    expect(Math.abs(r.pvalue - 0.034744524736609494) / r.pvalue).toBeLessThan(1e-9);
    expect(r.pvalue).toBe(kolmogorovSf(5000, r.statistic));
  });
});

describe("kolmogorovSf", () => {
  it("agrees with closed forms at the edges of its domain", () => {
    // Ruben–Gambino: P(D_n ≤ x) = n!/n^n (2nx - 1)^n for x ≤ 1/n, and P(D_n > x) = 2(1-x)^n near 1.
    const n = 5;
    const x = 0.15;
    let cdf = 1;
    for (let i = 1; i <= n; ++i) cdf *= (i / n) * (2 * n * x - 1);
    expect(kolmogorovSf(n, x)).toBeCloseTo(1 - cdf, 15);
    expect(kolmogorovSf(n, 0.9)).toBeCloseTo(2 * 0.1 ** 5, 15);
  });

  it("approaches the limiting Kolmogorov distribution for large n", () => {
    const z = 1.2;
    let limit = 0;
    for (let k = 1; k < 100; ++k) limit += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * z * z);
    const n = 1_000_000;
    expect(Math.abs(kolmogorovSf(n, z / Math.sqrt(n)) - limit)).toBeLessThan(1e-3);
  });
});
