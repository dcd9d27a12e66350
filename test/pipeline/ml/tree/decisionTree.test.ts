import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {
  decisionTreeParams,
  decisionTreeSpec,
  DecisionTreeClassifier,
  DecisionTreeRegressor
} from "../../../../src/pipeline/ml/tree/decisionTree.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";

interface TreeFixture {
  X: number[][];
  y_class: number[];
  y_reg: number[];
  X_query: number[][];
  classifier: {
    max_depth: number;
    predict: number[];
    proba: number[];
    n_leaves: number;
    feature_importances: number[];
  };
  regressor: {max_depth: number; predict: number[]; n_leaves: number; feature_importances: number[]};
}

const fixture: TreeFixture = JSON.parse(
  readFileSync(new URL("../../../fixtures/sklearn/decision_tree.json", import.meta.url), "utf8")
);

function features(rows: number[][]): Features {
  return {rows: rows.length, cols: rows[0].map((_, j) => Float64Array.from(rows, (r) => r[j]))};
}

const X = features(fixture.X);
const Q = features(fixture.X_query);

function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; ++i)
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol);
}

describe("DecisionTreeClassifier (gini) against sklearn", () => {
  const model = new DecisionTreeClassifier({max_depth: fixture.classifier.max_depth});
  model.fit(X, Int32Array.from(fixture.y_class));

  it("predicts the same classes", () => {
    expect(Array.from(model.predict(Q))).toEqual(fixture.classifier.predict);
  });

  it("predicts the same leaf class fractions", () => {
    const proba = model.predictProba(Q);
    expect(proba).toHaveLength(2);
    closeArrays(proba[1], fixture.classifier.proba, 1e-15);
    for (let i = 0; i < Q.rows; ++i) expect(proba[0][i] + proba[1][i]).toBeCloseTo(1, 14);
  });

  it("has the same leaves and impurity importances", () => {
    expect(model.leafCount()).toBe(fixture.classifier.n_leaves);
    closeArrays(model.featureImportances(), fixture.classifier.feature_importances, 1e-12);
  });

  it("is deterministic for a seed", () => {
    const again = new DecisionTreeClassifier({max_depth: fixture.classifier.max_depth});
    again.fit(X, Int32Array.from(fixture.y_class));
    expect(again.toJSON().state).toEqual(model.toJSON().state);
  });
});

describe("DecisionTreeRegressor (squared error) against sklearn", () => {
  const model = new DecisionTreeRegressor({max_depth: fixture.regressor.max_depth});
  model.fit(X, Float64Array.from(fixture.y_reg));

  it("predicts the same leaf means", () => {
    // Same splits and leaves; a leaf mean may differ in the last bit, as sklearn sums a node's
    // rows in its own (sort-dependent) order.
    closeArrays(model.predict(Q), fixture.regressor.predict, 1e-12);
  });

  it("has the same leaves and impurity importances", () => {
    expect(model.leafCount()).toBe(fixture.regressor.n_leaves);
    closeArrays(model.featureImportances(), fixture.regressor.feature_importances, 1e-12);
  });
});

/** Two informative features in x0 XOR-ish x1, plus noise features. */
function twoFeatureData(rows: number, seed: number): {X: Features; y: Int32Array} {
  const rng = createRng(seed);
  const cols = Array.from({length: 4}, () => new Float64Array(rows));
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; ++i) {
    for (const c of cols) c[i] = rng.normal();
    y[i] = (cols[0][i] > 0 ? 1 : 0) ^ (cols[1][i] > 0.3 ? 1 : 0);
  }
  return {X: {rows, cols}, y};
}

describe("DecisionTree behaviour", () => {
  it("samples max_features per split, so one tree uses several features with max_features=1", () => {
    const {X: data, y} = twoFeatureData(400, 3);
    const model = new DecisionTreeClassifier({max_features: 1, max_depth: 6, seed: 1});
    model.fit(data, y);
    const state = model.toJSON().state as {tree: {feature: number[]}};
    const used = new Set(state.tree.feature.filter((f) => f >= 0));
    expect(used.size).toBeGreaterThanOrEqual(2);
  });

  it("learns an XOR of two features fully when unlimited", () => {
    const {X: data, y} = twoFeatureData(400, 5);
    const model = new DecisionTreeClassifier();
    model.fit(data, y);
    expect(Array.from(model.predict(data))).toEqual(Array.from(y));
  });

  it("round-trips through JSON with bit-identical predictions", () => {
    const model = new DecisionTreeRegressor({max_depth: 5, max_features: "sqrt", seed: 4});
    model.fit(X, Float64Array.from(fixture.y_reg));
    const copy = decisionTreeSpec.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(copy).toBeInstanceOf(DecisionTreeRegressor);
    expect((copy as DecisionTreeRegressor).predict(Q)).toEqual(model.predict(Q));
    expect(copy.featureImportances!()).toEqual(model.featureImportances());

    const clf = new DecisionTreeClassifier({criterion: "entropy", min_samples_leaf: 3});
    clf.fit(X, Int32Array.from(fixture.y_class));
    const clfCopy = decisionTreeSpec.fromJSON(
      JSON.parse(JSON.stringify(clf.toJSON()))
    ) as DecisionTreeClassifier;
    expect(clfCopy.predictProba(Q)).toEqual(clf.predictProba(Q));
  });

  it("respects min_samples_leaf and max_depth", () => {
    const model = new DecisionTreeClassifier({min_samples_leaf: 20, max_depth: 3});
    model.fit(X, Int32Array.from(fixture.y_class));
    const state = model.toJSON().state as {tree: {left: number[]}};
    expect(model.leafCount()).toBeLessThanOrEqual(8);
    expect(state.tree.left.length).toBe(2 * model.leafCount() - 1);
  });

  it("sends NaN at prediction time to the child that saw more rows", () => {
    const model = new DecisionTreeClassifier({max_depth: 1});
    model.fit(X, Int32Array.from(fixture.y_class));
    const counts = new Map<number, number>();
    for (const p of model.predictProba(X)[1]) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect(counts.size).toBe(2);
    const bigger = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const nan = {rows: 1, cols: X.cols.map(() => Float64Array.of(NaN))};
    expect(model.predictProba(nan)[1][0]).toBe(bigger);
  });

  it("validates params like sklearn", () => {
    expect(decisionTreeParams.parse({})).toEqual({
      max_depth: null,
      min_samples_split: 2,
      min_samples_leaf: 1,
      max_features: null,
      min_impurity_decrease: 0,
      seed: 0
    });
    expect(() => decisionTreeParams.parse({max_depth: 0})).toThrow();
    expect(() => decisionTreeParams.parse({splitter: "random"})).toThrow();
    expect(() => decisionTreeParams.parse({max_features: "auto"})).toThrow();
    expect(() => new DecisionTreeRegressor({criterion: "gini"})).toThrow(/criterion/);
    expect(() => new DecisionTreeClassifier({criterion: "squared_error"})).toThrow(/criterion/);
  });

  it("rejects missing or infinite training values", () => {
    const bad = {rows: 2, cols: [Float64Array.of(1, NaN)]};
    expect(() => new DecisionTreeClassifier().fit(bad, Int32Array.of(0, 1))).toThrow(/row 1/);
  });
});
