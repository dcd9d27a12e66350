import {describe, expect, it} from "vitest";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {kFold, stratifiedKFold, type Fold} from "../../../../src/pipeline/ml/validation/kfold.ts";

const list = (a: Int32Array) => Array.from(a);

function expectPartition(folds: Fold[], n: number): void {
  const seen = new Int32Array(n);
  for (const {train, test} of folds) {
    expect(train.length + test.length).toBe(n);
    const inTest = new Set(test);
    for (const i of train) expect(inTest.has(i)).toBe(false);
    for (const i of test) seen[i] += 1;
    for (const a of [train, test]) for (let i = 1; i < a.length; ++i) expect(a[i]).toBeGreaterThan(a[i - 1]);
  }
  expect(list(seen)).toEqual(new Array(n).fill(1));
}

const countsIn = (y: number[], idx: Int32Array, k: number) => {
  const c = new Array(k).fill(0);
  for (const i of idx) c[y[i]] += 1;
  return c;
};

describe("kFold", () => {
  it("gives the first n % folds folds one extra row, contiguous without shuffle (sklearn's KFold(4) on 10 rows)", () => {
    const folds = kFold(10, {folds: 4});
    expect(folds.map((f) => list(f.test))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
      [8, 9]
    ]);
    expectPartition(folds, 10);
  });

  it("shuffles deterministically per seed, keeping sizes", () => {
    const a = kFold(103, {folds: 5, shuffle: true, seed: 7});
    expectPartition(a, 103);
    expect(a.map((f) => f.test.length)).toEqual([21, 21, 21, 20, 20]);
    expect(kFold(103, {folds: 5, shuffle: true, seed: 7})).toEqual(a);
    expect(kFold(103, {folds: 5, shuffle: true, seed: 8})).not.toEqual(a);
    expect(a[0].test).not.toEqual(kFold(103, {folds: 5}).map((f) => f.test)[0]);
  });

  it("validates its options and row count", () => {
    expect(kFold(5).length).toBe(5);
    expect(() => kFold(3, {folds: 4})).toThrow(/cannot cut 3 rows into 4 folds/);
    expect(() => kFold(10, {folds: 1})).toThrow(/invalid kFold.folds: 1 \(expected .*2/);
    expect(() => kFold(10, {folds: 2.5})).toThrow(/invalid kFold.folds: 2.5/);
    expect(() => kFold(10, {fold: 3} as never)).toThrow(/kFold/);
  });
});

describe("stratifiedKFold", () => {
  it("equals sklearn's StratifiedKFold(3) index for index without shuffle", () => {
    const y = [1, 1, 0, 0, 0, 1, 2, 2, 2, 0, 1, 2, 1, 0];
    const folds = stratifiedKFold(y, {folds: 3});
    expect(folds.map((f) => list(f.test))).toEqual([
      [0, 1, 2, 3, 6],
      [4, 5, 7, 8, 10],
      [9, 11, 12, 13]
    ]);
    expectPartition(folds, y.length);
  });

  it("keeps each class's share in every fold, and sklearn's fold sizes, with shuffle", () => {
    const rng = createRng(3);
    // 50 / 33 / 20 rows in random order.
    const y = rng.shuffle([...new Array(50).fill(0), ...new Array(33).fill(1), ...new Array(20).fill(2)]);
    for (const seed of [0, 1, 2]) {
      const folds = stratifiedKFold(Int32Array.from(y), {folds: 5, shuffle: true, seed});
      expectPartition(folds, y.length);
      expect(folds.map((f) => f.test.length)).toEqual([21, 21, 21, 20, 20]);
      const perClass = folds.map((f) => countsIn(y, f.test, 3));
      // Round-robin over the labels sorted by class: class 0 fills 10 per fold, class 1 gives
      // 7,7,7,6,6 and class 2 continues the deal from fold 3: 4,4,4,4,4.
      expect(perClass).toEqual([
        [10, 7, 4],
        [10, 7, 4],
        [10, 7, 4],
        [10, 6, 4],
        [10, 6, 4]
      ]);
    }
  });

  it("is deterministic per seed", () => {
    const y = Array.from({length: 60}, (_, i) => i % 3);
    const a = stratifiedKFold(y, {folds: 4, shuffle: true, seed: 11});
    expect(stratifiedKFold(y, {folds: 4, shuffle: true, seed: 11})).toEqual(a);
    expect(stratifiedKFold(y, {folds: 4, shuffle: true, seed: 12})).not.toEqual(a);
  });

  it("refuses a class with fewer rows than folds", () => {
    expect(() => stratifiedKFold([0, 0, 0, 1, 1, 0, 0], {folds: 3})).toThrow(
      /class 1 has 2 rows, fewer than folds=3/
    );
  });
});
