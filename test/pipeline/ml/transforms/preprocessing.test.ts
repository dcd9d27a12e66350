import {describe, expect, it} from "vitest";
import {applyBins, fitBins} from "../../../../src/pipeline/ml/transforms/bins.ts";
import {applyImpute, fitImpute} from "../../../../src/pipeline/ml/transforms/impute.ts";
import {applyLog1p} from "../../../../src/pipeline/ml/transforms/log1p.ts";
import {applyOneHot, fitOneHot, oneHotFeatureNames} from "../../../../src/pipeline/ml/transforms/oneHot.ts";
import {applyOrdinal, fitOrdinal} from "../../../../src/pipeline/ml/transforms/ordinal.ts";
import {applyPolynomial, fitPolynomial} from "../../../../src/pipeline/ml/transforms/polynomial.ts";
import {applyScale, fitScale} from "../../../../src/pipeline/ml/transforms/scale.ts";
import {expectMatrix, numbers, readFixture} from "./fixture.ts";

const fx = readFixture("preprocessing.json");
const a = numbers(fx.table.a);
const b = numbers(fx.table.b);
const c: (string | null)[] = fx.table.c;
const TOL = 1e-9;

const imputed = (strategy: "mean" | "median") =>
  [a, b].map((col) => applyImpute(fitImpute(col, {strategy}), col));

describe("impute", () => {
  it("fills with the mean and median as SimpleImputer", () => {
    expectMatrix(imputed("mean"), fx.impute_mean, TOL);
    expectMatrix(imputed("median"), fx.impute_median, TOL);
  });

  it("fills strings with the most frequent value", () => {
    expect(applyImpute(fitImpute(c, {strategy: "most_frequent"}), c)).toEqual(fx.impute_most_frequent_c);
  });

  it("breaks most_frequent ties toward the smallest value, as sklearn", () => {
    expect(fitImpute(["b", "a", "b", "a", null, null, null], {strategy: "most_frequent"}).fill).toBe("a");
    expect(fitImpute(numbers([3, 1, 3, 1, 2]), {strategy: "most_frequent"}).fill).toBe(1);
  });

  it("fills constants, 0 and missing_value by default", () => {
    expect(applyImpute(fitImpute(a, {strategy: "constant"}), a)[1]).toBe(0);
    expect(fitImpute(c, {strategy: "constant"}).fill).toBe("missing_value");
    expect(fitImpute(c, {strategy: "constant", fill_value: "?"}).fill).toBe("?");
  });

  it("rejects bad params in the house error shape", () => {
    expect(() => fitImpute(a, {strategy: "mode" as "mean"})).toThrow(
      /^invalid impute\.strategy: "mode" \(expected/
    );
    expect(() => fitImpute(c, {strategy: "mean"})).toThrow(/invalid impute\.strategy/);
  });
});

describe("scale", () => {
  const median = imputed("median");

  it("standardises with the population std, as StandardScaler", () => {
    expectMatrix(
      median.map((col) => applyScale(fitScale(col, {method: "standard"}), col)),
      fx.standard_scaler,
      TOL
    );
  });

  it("min-max scales, as MinMaxScaler", () => {
    expectMatrix(
      median.map((col) => applyScale(fitScale(col, {method: "minmax"}), col)),
      fx.minmax_scaler,
      TOL
    );
  });

  it("keeps scale 1 for a constant column and passes NaN through", () => {
    const state = fitScale(numbers([0.1, 0.1, 0.1, null]));
    expect(state).toMatchObject({scale: 1});
    const out = applyScale(state, numbers([0.1, null]));
    expect(out[0]).toBeCloseTo(0, 15);
    expect(out[1]).toBeNaN();
  });
});

describe("oneHot", () => {
  it("sorts categories and encodes as OneHotEncoder, unseen → all zeros", () => {
    const state = fitOneHot(fx.one_hot.input);
    expect(state.categories).toEqual(fx.one_hot.categories);
    expectMatrix(applyOneHot(state, fx.one_hot.input), fx.one_hot.fitted, 0);
    expectMatrix(applyOneHot(state, fx.one_hot.unseen.input), fx.one_hot.unseen.output, 0);
    expect(oneHotFeatureNames(state, "c")).toEqual(fx.one_hot.categories.map((k: string) => `c=${k}`));
  });

  // Expected pools checked against sklearn 1.9.1 OneHotEncoder(handle_unknown="infrequent_if_exist").
  const data = [..."aaaaabbbcccdee"];
  it("pools rare categories by max_categories, ties going to the first-sorted", () => {
    const state = fitOneHot(data, {max_categories: 3, handle_unknown: "infrequent_if_exist"});
    expect(state.categories).toEqual(["a", "c"]);
    expect(state.infrequent).toEqual(["b", "d", "e"]);
    expect(oneHotFeatureNames(state, "col")).toEqual(["col=a", "col=c", "col=infrequent_sklearn"]);
    expectMatrix(
      applyOneHot(state, ["zz", "d", "a"]),
      [
        [0, 0, 1],
        [0, 0, 1],
        [1, 0, 0]
      ],
      0
    );
  });

  it("pools by min_frequency as a count or a fraction", () => {
    expect(fitOneHot(data, {min_frequency: 3}).infrequent).toEqual(["d", "e"]);
    expect(fitOneHot(data, {min_frequency: 0.2}).infrequent).toEqual(["d", "e"]);
    expect(fitOneHot(data, {max_categories: 2, min_frequency: 2}).categories).toEqual(["a"]);
  });

  it("ignores unknowns even when an infrequent column exists, under handle_unknown ignore", () => {
    const state = fitOneHot(data, {min_frequency: 3});
    expectMatrix(
      applyOneHot(state, ["zz", "e"]),
      [
        [0, 0, 0, 0],
        [0, 0, 0, 1]
      ],
      0
    );
  });

  it("treats null as its own category, sorted last", () => {
    const state = fitOneHot(["b", null, "a"]);
    expect(state.categories).toEqual(["a", "b", null]);
    expectMatrix(applyOneHot(state, [null]), [[0, 0, 1]], 0);
  });
});

describe("ordinal", () => {
  it("codes sorted categories; unknown → -1, missing → NaN", () => {
    const state = fitOrdinal(["y", "x", null, "z"]);
    expect(state.categories).toEqual(["x", "y", "z"]);
    const out = applyOrdinal(state, ["z", "x", "w", null]);
    expect([...out.slice(0, 3)]).toEqual([2, 0, -1]);
    expect(out[3]).toBeNaN();
  });
});

describe("bins", () => {
  for (const [key, strategy] of [
    ["kbins_quantile", "quantile"],
    ["kbins_uniform", "uniform"]
  ] as const) {
    it(`${strategy} edges and ordinal output match KBinsDiscretizer`, () => {
      const values = numbers(fx[key].input);
      const state = fitBins(values, {n_bins: fx[key].n_bins, strategy});
      expect(state.edges.length).toBe(fx[key].edges.length);
      state.edges.forEach((e, i) => expect(Math.abs(e - fx[key].edges[i])).toBeLessThan(TOL));
      expect([...applyBins(state, values)]).toEqual(fx[key].output);
    });
  }

  it("cuts kmeans bins halfway between 1-D k-means centres, as scikit-learn's KBinsDiscretizer", () => {
    const kmeans = readFixture("kbins_kmeans.json") as Record<
      string,
      {values: number[]; n_bins: number; edges: number[]}
    >;
    expect(Object.keys(kmeans)).toHaveLength(12);
    for (const [name, c] of Object.entries(kmeans)) {
      const {edges} = fitBins(Float64Array.from(c.values), {n_bins: c.n_bins, strategy: "kmeans"});
      expect(edges.length, name).toBe(c.edges.length);
      edges.forEach((e, i) => expect(Math.abs(e - c.edges[i]), `${name} edge ${i}`).toBeLessThan(1e-9));
    }
  });

  it("averages at exact quantile boundaries and drops repeated edges", () => {
    // averaged_inverted_cdf of 1..4 at 50%: mean of 2 and 3.
    expect(fitBins(numbers([4, 1, 3, 2]), {n_bins: 2}).edges).toEqual([1, 2.5, 4]);
    expect(fitBins(numbers([1, 1, 1, 1, 1, 2]), {n_bins: 3}).edges).toEqual([1, 2]);
  });
});

describe("polynomial and log1p", () => {
  it("orders degree-2 terms and names them as PolynomialFeatures", () => {
    const state = fitPolynomial(["p", "q"], {include_bias: false});
    expect(state.names).toEqual(fx.polynomial.names);
    const cols = [0, 1].map((j) => Float64Array.from(fx.polynomial.input, (row: number[]) => row[j]));
    expectMatrix(applyPolynomial(state, cols), fx.polynomial.output, TOL);
  });

  it("includes the bias by default and follows combinations order at degree 3", () => {
    expect(fitPolynomial(["a", "b"], {degree: 3}).names).toEqual([
      "1",
      "a",
      "b",
      "a^2",
      "a b",
      "b^2",
      "a^3",
      "a^2 b",
      "a b^2",
      "b^3"
    ]);
    expect(fitPolynomial(["a", "b", "c"], {interaction_only: true, include_bias: false}).names).toEqual([
      "a",
      "b",
      "c",
      "a b",
      "a c",
      "b c"
    ]);
  });

  it("log1p matches numpy", () => {
    const out = applyLog1p(numbers(fx.log1p.input));
    fx.log1p.output.forEach((want: number, i: number) => expect(Math.abs(out[i] - want)).toBeLessThan(TOL));
  });
});
