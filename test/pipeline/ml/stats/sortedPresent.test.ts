import {describe, expect, it} from "vitest";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {sortedPresent} from "../../../../src/pipeline/ml/stats/sortedPresent.ts";

/** What sortedPresent replaces: the built-in filter and sort. */
const reference = (column: Float64Array) => column.filter((v) => !Number.isNaN(v)).sort();

describe("sortedPresent", () => {
  it("equals filter-and-sort bit for bit: signs, zeros, infinities, ties, NaN, tiny and huge values", () => {
    const rng = createRng(7);
    const special = [
      0,
      -0,
      Infinity,
      -Infinity,
      NaN,
      5e-324,
      -5e-324,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1,
      -1
    ];
    for (const rows of [0, 1, 10, 4095, 4096, 50_000]) {
      const column = Float64Array.from({length: rows}, (_, i) => {
        const r = rng.next();
        if (r < 0.1) return special[i % special.length];
        if (r < 0.4) return Math.round(rng.normal() * 20); // ties, integer-valued
        return rng.normal() * 10 ** Math.round(rng.normal() * 5);
      });
      const got = sortedPresent(column);
      const want = reference(column);
      expect(got.length).toBe(want.length);
      // Bit for bit: -0 and 0 differ in their bits, which toEqual on numbers would not see.
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  it("skips passes whose digit never changes (integer values) and still sorts", () => {
    const column = Float64Array.from({length: 100_000}, (_, i) => (i * 7919) % 1013);
    expect(Array.from(sortedPresent(column))).toEqual(Array.from(reference(column)));
  });
});
