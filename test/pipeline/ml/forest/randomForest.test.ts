import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {makeClassification, makeRegression} from "../../../../bench/data.ts";
import {DecisionTreeRegressor} from "../../../../src/pipeline/ml/tree/decisionTree.ts";
import {
  randomForestParams,
  randomForestSpec,
  RandomForestClassifier,
  RandomForestRegressor
} from "../../../../src/pipeline/ml/forest/randomForest.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";

function slice(X: Features, from: number, to: number): Features {
  return {rows: to - from, cols: X.cols.map((c) => c.subarray(from, to))};
}

function accuracy(pred: Int32Array, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < pred.length; ++i) ok += pred[i] === y[i] ? 1 : 0;
  return ok / pred.length;
}

function r2(pred: Float64Array, y: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; ++i) mean += y[i] / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; ++i) {
    res += (y[i] - pred[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return 1 - res / tot;
}

const cls = makeClassification(3000, 8, {classes: 3, seed: 11});
const train = slice(cls.X, 0, 2000);
const yTrain = cls.y.subarray(0, 2000);
const test = slice(cls.X, 2000, 3000);
const yTest = cls.y.subarray(2000);

describe("RandomForestClassifier", () => {
  it("is deterministic per seed and changes with it", () => {
    const fit = (seed: number) => {
      const model = new RandomForestClassifier({n_estimators: 8, max_depth: 6, seed});
      model.fit(train, yTrain);
      return model.toJSON();
    };
    expect(fit(1)).toEqual(fit(1));
    expect(fit(1).state).not.toEqual(fit(2).state);
  });

  it("grows identical trees on 1 and 2 threads", async () => {
    const one = new RandomForestClassifier({n_estimators: 6, max_depth: 8, seed: 5});
    expect(one.fit(train, yTrain, {threads: 1})).toBeUndefined();
    const two = new RandomForestClassifier({n_estimators: 6, max_depth: 8, seed: 5});
    const pending = two.fit(train, yTrain, {threads: 2});
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(two.toJSON()).toEqual(one.toJSON());
  });

  it("averages tree probabilities and predicts well", () => {
    const model = new RandomForestClassifier({n_estimators: 20, seed: 3});
    model.fit(train, yTrain);
    const proba = model.predictProba(test);
    expect(proba).toHaveLength(3);
    for (let i = 0; i < test.rows; ++i) expect(proba[0][i] + proba[1][i] + proba[2][i]).toBeCloseTo(1, 12);
    expect(accuracy(model.predict(test), yTest)).toBeGreaterThan(0.7);
  });

  it("scores out of bag close to a held-out score", () => {
    const model = new RandomForestClassifier({n_estimators: 40, oob_score: true, seed: 2});
    model.fit(train, yTrain);
    const held = accuracy(model.predict(test), yTest);
    expect(model.oobScore).not.toBeNull();
    expect(Math.abs(model.oobScore! - held)).toBeLessThan(0.05);
  });

  it("round-trips through JSON with bit-identical predictions", () => {
    const model = new RandomForestClassifier({n_estimators: 5, max_depth: 7, seed: 9});
    model.fit(train, yTrain);
    const copy = randomForestSpec.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(copy).toBeInstanceOf(RandomForestClassifier);
    expect((copy as RandomForestClassifier).predictProba(test)).toEqual(model.predictProba(test));
    expect(copy.featureImportances!()).toEqual(model.featureImportances());
  });

  it("draws max_features per split, not per tree", () => {
    const model = new RandomForestClassifier({n_estimators: 3, max_features: 1, max_depth: 5, seed: 4});
    model.fit(train, yTrain);
    const state = model.toJSON().state as {trees: {feature: number[]}[]};
    for (const tree of state.trees)
      expect(new Set(tree.feature.filter((f) => f >= 0)).size).toBeGreaterThan(1);
  });

  it("gives normalised importances that favour the informative features", () => {
    const data = makeClassification(2000, 10, {informative: 3, seed: 4});
    const model = new RandomForestClassifier({n_estimators: 15, seed: 1});
    model.fit(data.X, data.y);
    const imp = model.featureImportances();
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const informative = imp[0] + imp[1] + imp[2];
    expect(informative).toBeGreaterThan(0.5);
  });
});

describe("RandomForestRegressor", () => {
  const reg = makeRegression(3000, 6, {seed: 21});
  const rTrain = slice(reg.X, 0, 2000);
  const rTest = slice(reg.X, 2000, 3000);

  it("uses every feature per split by default: without bootstrap each tree is the decision tree", () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../../../fixtures/sklearn/decision_tree.json", import.meta.url), "utf8")
    );
    const rows: number[][] = fixture.X;
    const X: Features = {
      rows: rows.length,
      cols: rows[0].map((_, j) => Float64Array.from(rows, (r) => r[j]))
    };
    const y = Float64Array.from(fixture.y_reg as number[]);
    const forest = new RandomForestRegressor({n_estimators: 3, bootstrap: false, max_depth: 4});
    forest.fit(X, y);
    const tree = new DecisionTreeRegressor({max_depth: 4});
    tree.fit(X, y);
    const a = forest.predict(X);
    const b = tree.predict(X);
    for (let i = 0; i < X.rows; ++i) expect(a[i]).toBeCloseTo(b[i], 12);
  });

  it("fits, scores out of bag near the held-out R², and is thread-independent", async () => {
    const model = new RandomForestRegressor({
      n_estimators: 20,
      oob_score: true,
      min_samples_leaf: 2,
      seed: 1
    });
    model.fit(rTrain, reg.y.subarray(0, 2000));
    const held = r2(model.predict(rTest), reg.y.subarray(2000));
    expect(held).toBeGreaterThan(0.8);
    expect(Math.abs(model.oobScore! - held)).toBeLessThan(0.05);

    const threaded = new RandomForestRegressor({
      n_estimators: 20,
      oob_score: true,
      min_samples_leaf: 2,
      seed: 1,
      n_jobs: 2
    });
    await threaded.fit(rTrain, reg.y.subarray(0, 2000));
    expect(threaded.toJSON().state).toEqual(model.toJSON().state);
  });

  it("round-trips through JSON with bit-identical predictions", () => {
    const model = new RandomForestRegressor({n_estimators: 4, max_features: 0.5, seed: 6});
    model.fit(rTrain, reg.y.subarray(0, 2000));
    const copy = randomForestSpec.fromJSON(
      JSON.parse(JSON.stringify(model.toJSON()))
    ) as RandomForestRegressor;
    expect(copy.predict(rTest)).toEqual(model.predict(rTest));
  });
});

describe("random forest params", () => {
  it("defaults like sklearn and rejects what sklearn rejects", () => {
    const p = randomForestParams.parse({});
    expect(p).toMatchObject({
      n_estimators: 100,
      bootstrap: true,
      oob_score: false,
      n_jobs: null,
      seed: 0,
      max_depth: null
    });
    expect(p.max_features).toBeUndefined();
    expect(() => randomForestParams.parse({oob_score: true, bootstrap: false})).toThrow(/bootstrap/);
    expect(() => randomForestParams.parse({n_jobs: 0})).toThrow();
    expect(() => randomForestParams.parse({n_estimators: 0})).toThrow();
    expect(() => randomForestParams.parse({max_samples: 0.5})).toThrow();
    expect(() => new RandomForestRegressor({criterion: "entropy"})).toThrow(/criterion/);
  });
});
