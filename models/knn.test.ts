import type {Features} from "mlbook";
import {describe, expect, it} from "vitest";
import knn from "./knn.ts";

const features = (rows: number[][]): Features => ({
  rows: rows.length,
  cols: rows[0].map((_, j) => Float64Array.from(rows, (r) => r[j]))
});
const info = (task: "classification" | "regression", nClasses?: number) => ({
  task,
  nClasses,
  seed: 0,
  progress() {}
});

describe("knn", () => {
  const X = features([
    [0, 0],
    [1, 0],
    [0, 1],
    [10, 10],
    [11, 10],
    [10, 11]
  ]);

  it("averages the k nearest training targets (regression)", async () => {
    const model = await knn.fit(
      X,
      Float64Array.of(1, 2, 3, 10, 20, 30),
      {n_neighbors: 3},
      info("regression")
    );
    expect(
      Array.from(
        knn.predict(
          model,
          features([
            [0.1, 0.1],
            [10.5, 10.5]
          ])
        )
      )
    ).toEqual([2, 20]);
    // Its state is JSON: a bundle round trip predicts the same.
    const restored = knn.fromJSON(JSON.parse(JSON.stringify(knn.toJSON(model))));
    expect(Array.from(knn.predict(restored, features([[9, 9]])))).toEqual([20]);
  });

  it("votes among the k nearest (classification), the vote shares as probabilities", async () => {
    const model = await knn.fit(
      X,
      Int32Array.of(0, 0, 1, 1, 1, 1),
      {n_neighbors: 3},
      info("classification", 2)
    );
    const x = features([
      [0.2, 0.2],
      [10, 10]
    ]);
    expect(Array.from(knn.predict(model, x))).toEqual([0, 1]);
    expect(knn.predictProba!(model, x).map((c) => Array.from(c))).toEqual([
      [2 / 3, 0],
      [1 / 3, 1]
    ]);
  });

  it("breaks distance ties by training order, and uses every row when k exceeds them", async () => {
    const model = await knn.fit(
      features([[1], [-1], [1]]),
      Float64Array.of(10, 20, 30),
      {n_neighbors: 9},
      info("regression")
    );
    expect(Array.from(knn.predict(model, features([[0]])))).toEqual([20]);
    const two = await knn.fit(
      features([[1], [-1], [1]]),
      Float64Array.of(10, 20, 30),
      {n_neighbors: 2},
      info("regression")
    );
    expect(Array.from(knn.predict(two, features([[0]])))).toEqual([15]);
  });
});
