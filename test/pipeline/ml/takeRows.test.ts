import {describe, expect, it} from "vitest";
import {takeRows, takeValues} from "../../../src/pipeline/ml/takeRows.ts";

describe("takeRows / takeValues", () => {
  const X = {rows: 4, cols: [Float64Array.of(0, 1, 2, 3), Float64Array.of(10, 11, 12, 13)]};

  it("gathers rows in index order into fresh columns", () => {
    const sub = takeRows(X, Int32Array.of(3, 1, 1));
    expect(sub.rows).toBe(3);
    expect(sub.cols.map((c) => Array.from(c))).toEqual([
      [3, 1, 1],
      [13, 11, 11]
    ]);
    sub.cols[0][0] = -1;
    expect(X.cols[0][3]).toBe(3);
  });

  it("keeps the target's array type and refuses out-of-range rows", () => {
    expect(takeValues(Int32Array.of(5, 6, 7), Int32Array.of(2, 0))).toEqual(Int32Array.of(7, 5));
    expect(takeValues(Float64Array.of(0.5, 1.5), Int32Array.of(1))).toEqual(Float64Array.of(1.5));
    expect(() => takeRows(X, Int32Array.of(4))).toThrow(/invalid row index: 4 \(expected 0..3\)/);
  });
});
