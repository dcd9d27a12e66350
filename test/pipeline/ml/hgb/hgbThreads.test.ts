import {describe, expect, it} from "vitest";
import {makeClassification, makeRegression} from "../../../../bench/data.ts";
import {HistGradientBoostingClassifier} from "../../../../src/pipeline/ml/hgb/HistGradientBoostingClassifier.ts";
import {HistGradientBoostingRegressor} from "../../../../src/pipeline/ml/hgb/HistGradientBoostingRegressor.ts";
import {histGradientBoostingSpec} from "../../../../src/pipeline/ml/hgb/histGradientBoosting.ts";
import type {HgbFit} from "../../../../src/pipeline/ml/hgb/fitHistGradientBoosting.ts";
import {hgbRawPredict, predictStats} from "../../../../src/pipeline/ml/hgb/hgbRawPredict.ts";
import {teamStats} from "../../../../src/pipeline/ml/hgb/hgbTeam.ts";
import {histPasses, shareOf} from "../../../../src/pipeline/ml/hgb/hgbWorkspace.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";

// Above MIN_THREADED_ROWS (100,000 training rows once the 10% validation split is taken out).
const ROWS = 125_000;
const params = (extra: Record<string, unknown> = {}) =>
  histGradientBoostingSpec.params.parse({max_iter: 8, ...extra});

/** Every 13th value of every other column missing, so NaN bins and their routing take part. */
function withMissing(X: Features): Features {
  return {
    rows: X.rows,
    cols: X.cols.map((c, j) => (j % 2 ? c : c.map((v, i) => (i % 13 === j ? NaN : v))))
  };
}

/** A fitted model's JSON. */
function fitted<Y>(
  model: {fit(X: Features, y: Y, options: {threads: number}): void; toJSON(): unknown},
  X: Features,
  y: Y,
  threads: number
): string {
  model.fit(X, y, {threads});
  return JSON.stringify(model.toJSON());
}

/** Fits with 1 and with `threads` threads: the helpers must have taken tasks. Both models' JSON. */
function oneAndMany(threads: number, fit: (threads: number) => string): [string, string] {
  const one = fit(1);
  const before = teamStats.tasks;
  const many = fit(threads);
  expect(teamStats.tasks - before).toBeGreaterThan(10);
  return [one, many];
}

describe("histogram gradient boosting on several threads", () => {
  it("grows the same binary trees with 1 or 2 threads (7 features: passes of 3 and 4)", () => {
    // 30% of 150,000 rows for validation: 45,000, enough for their scoring to be shared out too.
    const {X, y} = makeClassification(150_000, 7, {seed: 21});
    const data = withMissing(X);
    const [one, two] = oneAndMany(2, (threads) =>
      fitted(new HistGradientBoostingClassifier(params({validation_fraction: 0.3})), data, y, threads)
    );
    expect(two).toBe(one);
  }, 120_000);

  it("grows the same trees per class with 1 or 2 threads (3 classes, 10 features)", () => {
    const {X, y} = makeClassification(ROWS, 10, {classes: 3, seed: 22});
    const [one, two] = oneAndMany(2, (threads) =>
      fitted(new HistGradientBoostingClassifier(params({max_iter: 4})), X, y, threads)
    );
    expect(two).toBe(one);
  }, 120_000);

  it("grows the same regression trees with 1 or 3 threads (constant hessians)", () => {
    const {X, y} = makeRegression(ROWS, 5, {seed: 23});
    const data = withMissing(X);
    const [one, three] = oneAndMany(3, (threads) =>
      fitted(new HistGradientBoostingRegressor(params()), data, y, threads)
    );
    expect(three).toBe(one);
  }, 120_000);

  it("shares rows in contiguous ranges and features in passes of at most 4", () => {
    expect([0, 1, 2].map((i) => shareOf(10, 17, i, 3))).toEqual([
      [10, 12],
      [12, 14],
      [14, 17]
    ]);
    // 7 features on 2 threads: 3 on the fit's own thread, 4 on the helper.
    expect(histPasses(...shareOf(0, 7, 0, 2))).toEqual([{first: 0, group: 3}]);
    expect(histPasses(...shareOf(0, 7, 1, 2))).toEqual([{first: 3, group: 4}]);
    expect(histPasses(0, 11)).toEqual([
      {first: 0, group: 4},
      {first: 4, group: 4},
      {first: 8, group: 3}
    ]);
  });
});

describe("boosting predictions on several threads", () => {
  it("gives the same raw predictions whichever thread takes a row chunk", () => {
    const {X, y} = makeClassification(20_000, 6, {classes: 3, seed: 24});
    const model = new HistGradientBoostingClassifier(params({max_iter: 20}));
    model.fit(withMissing(X), y, {threads: 1});
    const fit = (model as unknown as {fitted: HgbFit}).fitted;
    // 400,000 rows (the training rows over and over, NaN included) × 60 trees: well past the
    // threshold, and long enough for a helper to come up and take chunks.
    const big: Features = {
      rows: 400_000,
      cols: withMissing(X).cols.map((c) => Float64Array.from({length: 400_000}, (_, i) => c[i % c.length]))
    };
    const one = hgbRawPredict(fit, big, 1);
    const before = predictStats.helperChunks;
    const two = hgbRawPredict(fit, big, 2);
    expect(predictStats.helperChunks - before).toBeGreaterThan(0);
    // Byte for byte (toEqual on 1.2M numbers would take longer than the predictions).
    const bytes = (raw: Float64Array[]) => raw.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength));
    expect(two.length).toBe(3);
    for (let k = 0; k < 3; ++k) expect(bytes(two)[k].equals(bytes(one)[k])).toBe(true);
    expect(one[0].length).toBe(400_000);
  }, 120_000);
});
