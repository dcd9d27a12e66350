import fc from "fast-check";
import {describe, expect, it} from "vitest";
import {parseValue} from "../../../src/pipeline/engine/overrideGrammar.ts";
import {rangeValues} from "../../../src/pipeline/sweep/range.ts";

const range = (text: string) => {
  const v = parseValue(text);
  if (v.type !== "range") throw new Error(`${text} is not a range`);
  return rangeValues(v.start, v.stop, v.step);
};

describe("range()", () => {
  it("matches Hydra's documented examples", () => {
    expect(range("range(0,5)")).toEqual([0, 1, 2, 3, 4]);
    expect(range("range(0,5,2)")).toEqual([0, 2, 4]);
    // Hydra's docs: 0.0,3.3,6.6,9.9 — exactly these floats (naive accumulation gives 9.899999999999999).
    expect(range("range(0,10,3.3)")).toEqual([0, 3.3, 6.6, 9.9]);
    expect(range("range(1,5)")).toEqual([1, 2, 3, 4]);
    expect(range("range(0,1,0.25)")).toEqual([0, 0.25, 0.5, 0.75]);
    expect(range("range(5,1,-1)")).toEqual([5, 4, 3, 2]);
    expect(range("range(1,1)")).toEqual([]);
    expect(range("range(5,1)")).toEqual([]);
    expect(range("range(1,5,-1)")).toEqual([]);
    expect(range("range(0,3)").length * range("range(0,3)").length).toBe(9);
  });

  it("accumulates float steps in 28-digit decimal arithmetic, as Hydra's FloatRange does", () => {
    // Values computed by Python: float(Decimal(start) + k·Decimal(step)), rounded each addition.
    expect(range("range(0,1,0.1)")).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9]);
    expect(range("range(1,0,-0.1)")).toEqual([
      1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.39999999999999997, 0.3, 0.19999999999999996, 0.09999999999999995
    ]);
    expect(range("range(0.5,3)")).toEqual([0.5, 1.5, 2.5]);
  });

  it("refuses a zero step and absurd lengths", () => {
    expect(() => parseValue("range(1,5,0)")).toThrow(/step must not be zero/);
    expect(() => rangeValues(0, 1, 1e-9)).toThrow(/values \(at most/);
  });

  it("follows Python's range for integers: r[i] = start + step·i, strictly before stop", () => {
    const small = fc.integer({min: -50, max: 50});
    fc.assert(
      fc.property(
        small,
        small,
        small.filter((s) => s !== 0),
        (start, stop, step) => {
          const values = rangeValues(start, stop, step);
          expect(values.length).toBe(Math.max(0, Math.ceil((stop - start) / step)));
          values.forEach((v, i) => expect(v).toBe(start + step * i));
        }
      )
    );
  });

  it("stays within [start, stop) for float steps, in order, with the right count", () => {
    const num = fc.double({min: -20, max: 20, noNaN: true});
    fc.assert(
      fc.property(
        num,
        num,
        fc.double({min: 0.1, max: 20, noNaN: true}),
        fc.boolean(),
        (start, stop, size, down) => {
          const step = down ? -size : size;
          const values = rangeValues(start, stop, step);
          for (const [i, v] of values.entries()) {
            expect(step > 0 ? v < stop || v === stop : v > stop || v === stop).toBe(true);
            expect(Math.abs(v - (start + step * i))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v)) * (i + 1));
            if (i) expect(step > 0 ? v > values[i - 1] : v < values[i - 1]).toBe(true);
          }
          const expected = Math.ceil((stop - start) / step);
          expect(Math.abs(values.length - Math.max(0, expected))).toBeLessThanOrEqual(1);
        }
      )
    );
  });
});
