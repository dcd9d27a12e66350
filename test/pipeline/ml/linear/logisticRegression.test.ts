import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {
  LogisticRegression,
  logisticRegressionSpec
} from "../../../../src/pipeline/ml/linear/logisticRegression.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";

interface Fixture {
  X: number[][];
  y: string[];
  classes: string[];
  multinomial: {C: number; coef: number[][]; intercept: number[]; proba: number[][]};
  binary: {y: number[]; C: number; coef: number[][]; intercept: number[]; proba: number[]};
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL("../../../fixtures/sklearn/linear_models.json", import.meta.url), "utf8")
);
const X = columns(fixture.X);
const y = Int32Array.from(fixture.y, (c) => fixture.classes.indexOf(c));
const yBinary = Int32Array.from(fixture.binary.y);

function columns(rows: number[][]): Features {
  return {rows: rows.length, cols: rows[0].map((_, j) => Float64Array.from(rows, (r) => r[j]))};
}

function take(features: Features, index: ArrayLike<number>): Features {
  return {rows: index.length, cols: features.cols.map((c) => Float64Array.from(index, (i) => c[i]))};
}

/** The README's tolerance for convex fits: 1e-3 relative to the coefficient scale. */
function expectCoefficients(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; ++i) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-3 * scale);
  }
}

const scaleOf = (rows: number[][]) => Math.max(1, ...rows.flat().map(Math.abs));

describe("LogisticRegression on sklearn's penguins fixture", () => {
  it("matches the multinomial fit (C=1): coefficients, intercepts, probabilities", () => {
    const model = new LogisticRegression({C: fixture.multinomial.C});
    model.fit(X, y);
    expect(model.converged).toBe(true);
    const scale = scaleOf(fixture.multinomial.coef);
    const coef = model.coefficients();
    expect(coef).toHaveLength(3);
    coef.forEach((row, k) => expectCoefficients(row, fixture.multinomial.coef[k], scale));
    expectCoefficients(model.intercepts(), fixture.multinomial.intercept, scale);
    const proba = model.predictProba(X);
    for (let i = 0; i < X.rows; ++i) {
      for (let k = 0; k < 3; ++k) expect(proba[k][i]).toBeCloseTo(fixture.multinomial.proba[i][k], 4);
    }
  });

  it("matches the binary fit (C=0.5) with a single coefficient vector", () => {
    const model = new LogisticRegression({C: fixture.binary.C});
    model.fit(X, yBinary);
    const coef = model.coefficients();
    expect(coef).toHaveLength(1);
    const scale = scaleOf(fixture.binary.coef);
    expectCoefficients(coef[0], fixture.binary.coef[0], scale);
    expectCoefficients(model.intercepts(), fixture.binary.intercept, scale);
    const [p0, p1] = model.predictProba(X);
    for (let i = 0; i < X.rows; ++i) {
      expect(p1[i]).toBeCloseTo(fixture.binary.proba[i], 5);
      expect(p0[i] + p1[i]).toBeCloseTo(1, 12);
    }
  });

  it("converges to sklearn's optimum, not just near it, with a tight tol", () => {
    const model = new LogisticRegression({C: 1, tol: 1e-10});
    model.fit(X, y);
    model.coefficients().forEach((row, k) => expectCoefficients(row, fixture.multinomial.coef[k], 1e-3));
  });

  it("predicts the most probable class", () => {
    const model = new LogisticRegression();
    model.fit(X, y);
    const proba = model.predictProba(X);
    const predicted = model.predict(X);
    for (let i = 0; i < X.rows; ++i) {
      const best = [0, 1, 2].reduce((a, k) => (proba[k][i] > proba[a][i] ? k : a), 0);
      expect(predicted[i]).toBe(best);
    }
    const accuracy = predicted.filter((p, i) => p === y[i]).length / X.rows;
    expect(accuracy).toBeGreaterThan(0.98);
  });
});

describe("class_weight", () => {
  it('"balanced" matches sklearn on the multinomial penguins fit', () => {
    // sklearn 1.9.1: LogisticRegression(C=1, class_weight="balanced", tol=1e-12, max_iter=10000)
    // fitted on the fixture's X and species; coef_.tolist() and intercept_.tolist().
    const coef = [
      [-2.8010408902891943, 1.5663432101531758, -0.46958531496499517, 0.4264975371055465],
      [2.457900395363655, 0.22830646746379693, -0.7428492246028481, -1.6067576129629333],
      [0.3431404949255383, -1.7946496776169754, 1.2124345395678442, 1.1802600758573878]
    ];
    const intercept = [0.3183820758200455, 0.092281278493349, -0.4106633543133871];
    const model = new LogisticRegression({class_weight: "balanced"});
    model.fit(X, y);
    model.coefficients().forEach((row, k) => expectCoefficients(row, coef[k], scaleOf(coef)));
    expectCoefficients(model.intercepts(), intercept, scaleOf(coef));
  });

  it('"balanced" equals duplicating the minority rows (with C rescaled)', () => {
    // 40 rows of class 0 and 20 of class 1 weigh 60/80 = 0.75 and 60/40 = 1.5: the same objective,
    // up to a factor 0.75, as unit weights with every class-1 row twice.
    const index = [...Array.from({length: 40}, (_, i) => i), ...Array.from({length: 20}, (_, i) => 200 + i)];
    const labels = Int32Array.from(index, (i) => (i < 200 ? 0 : 1));
    const balanced = new LogisticRegression({C: 0.2, class_weight: "balanced", tol: 1e-10});
    balanced.fit(take(X, index), labels);
    const doubled = [...index, ...index.slice(40)];
    const duplicated = new LogisticRegression({C: 0.2 * 0.75, tol: 1e-10});
    duplicated.fit(
      take(X, doubled),
      Int32Array.from(doubled, (i) => (i < 200 ? 0 : 1))
    );
    expectCoefficients(balanced.coefficients()[0], duplicated.coefficients()[0], 1e-3);
    expectCoefficients(balanced.intercepts(), duplicated.intercepts(), 1e-3);
    const unweighted = new LogisticRegression({C: 0.2, tol: 1e-10});
    unweighted.fit(take(X, index), labels);
    expect(Math.abs(unweighted.intercepts()[0] - balanced.intercepts()[0])).toBeGreaterThan(0.1);
  });
});

describe("LogisticRegression behaviour", () => {
  it("is deterministic", () => {
    const a = new LogisticRegression();
    const b = new LogisticRegression();
    a.fit(X, y);
    b.fit(X, y);
    expect(a.coefficients()).toEqual(b.coefficients());
    expect(a.predictProba(X)).toEqual(b.predictProba(X));
  });

  it("round-trips through JSON and predicts bit-identically", () => {
    for (const [labels, C] of [
      [y, 1],
      [yBinary, 0.5]
    ] as const) {
      const model = new LogisticRegression({C});
      model.fit(X, labels);
      const json = JSON.parse(JSON.stringify(model.toJSON()));
      expect(json.type).toBe("logistic_regression");
      const restored = logisticRegressionSpec.fromJSON(json);
      expect(restored.task).toBe("classification");
      if (restored.task !== "classification") return;
      expect(restored.predictProba(X)).toEqual(model.predictProba(X));
      expect(restored.predict(X)).toEqual(model.predict(X));
      expect(restored.coefficients?.()).toEqual(model.coefficients());
    }
  });

  it("fits without an intercept like sklearn's fit_intercept=False", () => {
    // sklearn 1.9.1: LogisticRegression(C=0.5, fit_intercept=False, tol=1e-12, max_iter=10000)
    // fitted on the fixture's X and binary.y; coef_.tolist().
    const coef = [0.14072258163320844, 0.3409979577049889, -0.08308893001842028, 0.24685376007843451];
    const model = new LogisticRegression({C: 0.5, fit_intercept: false});
    model.fit(X, yBinary);
    expect(Array.from(model.intercepts())).toEqual([0]);
    expectCoefficients(model.coefficients()[0], coef, 1);
    const spec = logisticRegressionSpec.create(logisticRegressionSpec.params.parse({}), "classification");
    expect(spec.type).toBe("logistic_regression");
  });

  it("validates params and inputs at the edge", () => {
    expect(logisticRegressionSpec.params.parse({})).toEqual({
      C: 1,
      max_iter: 1000,
      tol: 1e-6,
      class_weight: null,
      fit_intercept: true
    });
    expect(() => logisticRegressionSpec.params.parse({C: 1, penalty: "l1"})).toThrow();
    expect(() => new LogisticRegression({C: 0})).toThrow();
    expect(() => new LogisticRegression({class_weight: "auto" as "balanced"})).toThrow();
    expect(() => new LogisticRegression().fit(X, Int32Array.from(y).fill(0))).toThrow(/nClasses/);
    expect(() => new LogisticRegression().fit(X, y.subarray(1))).toThrow(/invalid y/);
    expect(() => new LogisticRegression().fit(X, y, {nClasses: 2})).toThrow(/invalid y: 2/);
    expect(() => new LogisticRegression().predict(X)).toThrow(/not fitted/);
  });
});
