import {describe, expect, it} from "vitest";
import {rollUp} from "../../../../src/pipeline/ml/importance/rollUp.ts";

const names = ["bill_length", "island=Biscoe", "island=Dream", "island=Torgersen", "sex=male", "flipper"];
const sources = ["bill_length", "island", "island", "island", "sex", ""];

describe("rollUp", () => {
  it("sums one-hot parts into their source column, largest first", () => {
    const r = rollUp(Float64Array.of(0.1, 0.05, 0.02, 0.01, 0.2, 0.03), names, sources);
    expect(r.map((e) => e.column)).toEqual(["sex", "bill_length", "island", "flipper"]);
    expect(r[2].value).toBeCloseTo(0.08, 15);
    expect(r[0].value).toBe(0.2);
  });

  it("combines standard deviations as the root of the summed squares", () => {
    const r = rollUp(Float64Array.of(0, 0.03, 0.04, 0, 0.01, 0), names, sources, "rss");
    expect(r[0].column).toBe("island");
    expect(r[0].value).toBeCloseTo(0.05, 15);
    expect(r.find((e) => e.column === "sex")?.value).toBe(0.01);
  });

  it("names mismatched lengths", () => {
    expect(() => rollUp(Float64Array.of(1), names, sources)).toThrow(
      /1 values, 6 feature names and 6 sources/
    );
  });
});
