import fc from "fast-check";
import {describe, expect, it} from "vitest";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {
  createHgbKernels,
  FEATURE_BYTES,
  HIST_GROUPS,
  type HgbKernels
} from "../../../../src/pipeline/ml/hgb/hgbKernels.ts";
import {referenceSplit, type Histogram} from "./referenceSplit.ts";

/**
 * Each WebAssembly kernel of the boosting fit against a plain TypeScript version of what it
 * computes, on random inputs: the kernels must agree to the bit (the trees' parity with sklearn
 * rests on it).
 */

/** A fresh memory with its views, and a bump allocator of 8-byte aligned addresses. */
function arena(bytes = 1 << 20) {
  const memory = new WebAssembly.Memory({initial: Math.ceil(bytes / 65536)});
  let top = 8;
  return {
    kernels: createHgbKernels(memory) as HgbKernels,
    u8: new Uint8Array(memory.buffer),
    u32: new Uint32Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
    f64: new Float64Array(memory.buffer),
    take(n: number): number {
      const at = top;
      top += Math.ceil(n / 8) * 8;
      return at;
    }
  };
}

const runs = {numRuns: 60, seed: 20261202};
const float32 = fc.float({min: -8, max: 8, noNaN: true, noDefaultInfinity: true});

describe("boosting kernels (WebAssembly) against plain TypeScript", () => {
  it("histograms: every group size, contiguous and indexed rows, with and without hessians", () => {
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: 300}),
        fc.constantFrom(...HIST_GROUPS),
        fc.boolean(),
        fc.boolean(),
        fc.integer({min: 1, max: 1 << 30}),
        (rows, group, indexed, hessian, seed) => {
          const a = arena();
          const random = random01(seed);
          const stride = Math.ceil((rows + 1) / 8) * 8;
          const col = a.take(stride * group);
          for (let q = 0; q < group; ++q)
            for (let r = 0; r < rows; ++r)
              a.u8[col + q * stride + r] = random() < 0.1 ? 255 : Math.floor(random() * 40);
          const order = Array.from({length: rows}, (_, i) => i).sort(() => random() - 0.5);
          const idx = a.take(4 * rows);
          a.u32.set(order, idx / 4);
          const g = a.take(4 * rows);
          const h = a.take(4 * rows);
          for (let i = 0; i < rows; ++i) {
            a.f32[g / 4 + i] = Math.fround(random() * 6 - 3);
            a.f32[h / 4 + i] = Math.fround(random() * 2 + 0.01);
          }
          const hist = a.take(FEATURE_BYTES * group);
          const name =
            `hist${indexed ? "Indexed" : "Contiguous"}${hessian ? "" : "NoHessian"}${group}` as const;
          if (indexed) a.kernels[name as `histIndexed${1 | 2 | 3 | 4}`](col, stride, idx, rows, g, h, hist);
          else a.kernels[name as `histContiguous${1 | 2 | 3 | 4}`](col, stride, rows, g, h, hist);
          // What the kernel computes: per feature, bin by bin, in row order.
          const want = new Float64Array(group * 256 * 3);
          for (let i = 0; i < rows; ++i) {
            const row = indexed ? order[i] : i;
            for (let q = 0; q < group; ++q) {
              const bin = a.u8[col + q * stride + row];
              const at = q * 256 * 3 + bin * 3;
              want[at] += a.f32[g / 4 + i];
              if (hessian) want[at + 1] += a.f32[h / 4 + i];
              want[at + 2] += 1;
            }
          }
          expect(Array.from(a.f64.subarray(hist / 8, hist / 8 + want.length))).toEqual(Array.from(want));
        }
      ),
      runs
    );
  });

  it("gather, addToRows, subtract and copy", () => {
    fc.assert(
      fc.property(fc.array(float32, {maxLength: 200}), fc.integer({min: 1, max: 1 << 30}), (values, seed) => {
        const a = arena();
        const random = random01(seed);
        const n = values.length;
        const src = a.take(4 * n);
        a.f32.set(values, src / 4);
        const order = Array.from({length: n}, () => Math.floor(random() * n));
        const idx = a.take(4 * n);
        a.u32.set(order, idx / 4);
        const dst = a.take(4 * n);
        a.kernels.gather(idx, n, src, dst);
        expect(Array.from(a.f32.subarray(dst / 4, dst / 4 + n))).toEqual(
          order.map((i) => a.f32[src / 4 + i])
        );

        const raw = a.take(8 * n);
        const start = Float64Array.from({length: n}, () => random() * 10 - 5);
        a.f64.set(start, raw / 8);
        a.kernels.addToRows(idx, n, raw, 0.25);
        const added = Float64Array.from(start);
        for (const i of order) added[i] += 0.25;
        expect(Array.from(a.f64.subarray(raw / 8, raw / 8 + n))).toEqual(Array.from(added));

        const b = a.take(8 * n);
        const bs = Float64Array.from({length: n}, () => random() * 3);
        a.f64.set(bs, b / 8);
        a.kernels.subtract(raw, b, n);
        expect(Array.from(a.f64.subarray(raw / 8, raw / 8 + n))).toEqual(
          Array.from(added, (v, i) => v - bs[i])
        );

        // Overlapping copy, both directions (memmove).
        const bytes = a.take(64);
        const before = Uint8Array.from({length: 64}, () => Math.floor(random() * 256));
        a.u8.set(before, bytes);
        const shift = 1 + Math.floor(random() * 20);
        a.kernels.copy(bytes + shift, bytes, 64 - shift);
        expect(Array.from(a.u8.subarray(bytes, bytes + 64))).toEqual([
          ...before.slice(0, shift),
          ...before.slice(0, 64 - shift)
        ]);
      }),
      runs
    );
  });

  it("partition: a stable split of a row range by bin, missing rows on the side asked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({min: 0, max: 30}), fc.constant(255)), {maxLength: 200}),
        fc.integer({min: 0, max: 30}),
        fc.boolean(),
        fc.integer({min: 1, max: 1 << 30}),
        (bins, binIdx, missingLeft, seed) => {
          const a = arena();
          const random = random01(seed);
          const n = bins.length;
          const col = a.take(n);
          a.u8.set(bins, col);
          const rows = Array.from({length: n}, (_, i) => i).sort(() => random() - 0.5);
          const idx = a.take(4 * n);
          a.u32.set(rows, idx / 4);
          const buf = a.take(4 * n);
          const start = Math.floor(random() * (n + 1));
          const stop = start + Math.floor(random() * (n - start + 1));
          const mid = a.kernels.partition(col, idx, start, stop, binIdx, missingLeft ? 1 : 0, buf);
          const goesLeft = (r: number) => (bins[r] === 255 ? missingLeft : bins[r] <= binIdx);
          const range = rows.slice(start, stop);
          const want = [...range.filter(goesLeft), ...range.filter((r) => !goesLeft(r))];
          expect(mid).toBe(start + range.filter(goesLeft).length);
          expect(Array.from(a.u32.subarray(idx / 4 + start, idx / 4 + stop))).toEqual(want);
          // Rows outside the range are untouched.
          expect(Array.from(a.u32.subarray(idx / 4, idx / 4 + start))).toEqual(rows.slice(0, start));
        }
      ),
      runs
    );
  });

  it("findSplit: sklearn's best split over every feature, to the bit", () => {
    fc.assert(
      fc.property(
        fc.integer({min: 1, max: 4}),
        fc.boolean(),
        fc.integer({min: 1, max: 8}),
        fc.double({min: 0, max: 2, noNaN: true}),
        fc.integer({min: 1, max: 1 << 30}),
        (features, constantHessian, minSamples, l2, seed) => {
          const a = arena();
          const random = random01(seed);
          const hists: Histogram[] = [];
          const nBinsNonMissing: number[] = [];
          const hasMissing: boolean[] = [];
          const hist = a.take(FEATURE_BYTES * features);
          let nSamples = 0;
          let sumG = 0;
          let sumH = 0;
          for (let f = 0; f < features; ++f) {
            const bins = 2 + Math.floor(random() * 30);
            const missing = random() < 0.5;
            const h: Histogram = {
              g: new Float64Array(256),
              h: new Float64Array(256),
              n: new Float64Array(256)
            };
            for (const b of [...Array.from({length: bins}, (_, b) => b), ...(missing ? [255] : [])]) {
              h.n[b] = Math.floor(random() * 12);
              h.g[b] = (random() * 8 - 4) * h.n[b];
              h.h[b] = constantHessian ? 0 : (random() * 2 + 0.01) * h.n[b];
              const at = hist / 8 + f * 256 * 3 + b * 3;
              a.f64[at] = h.g[b];
              a.f64[at + 1] = h.h[b];
              a.f64[at + 2] = h.n[b];
            }
            hists.push(h);
            nBinsNonMissing.push(bins);
            hasMissing.push(missing);
          }
          // Every feature histograms the same rows: totals from the first.
          const first = hists[0];
          for (let b = 0; b < 256; ++b) {
            nSamples += first.n[b];
            sumG += first.g[b];
            sumH += constantHessian ? first.n[b] : first.h[b];
          }
          const nb = a.take(4 * features);
          new Int32Array(a.u8.buffer, nb, features).set(nBinsNonMissing);
          const hm = a.take(features);
          a.u8.set(hasMissing.map(Number), hm);
          const out = a.take(7 * 8);
          const lossCurrent = sumG * (-sumG / (sumH + l2 + 1e-15));
          const minHessian = 1e-3;
          a.kernels.findSplit(
            hist,
            features,
            nb,
            hm,
            constantHessian ? 1 : 0,
            out,
            nSamples,
            sumG,
            sumH,
            lossCurrent,
            minSamples,
            minHessian,
            0,
            l2
          );
          const got = Array.from(a.f64.subarray(out / 8, out / 8 + 7));
          const want = referenceSplit({
            hists,
            nBinsNonMissing,
            hasMissing,
            constantHessian,
            nSamples,
            sumG,
            sumH,
            lossCurrent,
            minSamples,
            minHessian,
            minGain: 0,
            l2
          });
          if (want.gain <= 0) expect(got[0]).toBe(-1);
          else
            expect(got).toEqual([
              want.gain,
              want.feature,
              want.bin,
              want.missingLeft ? 1 : 0,
              want.gl,
              want.hl,
              want.nl
            ]);
        }
      ),
      runs
    );
  });
});

/** A seeded stream of numbers in [0, 1) for the inputs a property draws. */
function random01(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}
