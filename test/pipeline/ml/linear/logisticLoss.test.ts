import {describe, expect, it} from "vitest";
import {logisticObjective} from "../../../../src/pipeline/ml/linear/logisticLoss.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";

/** Row-by-row reference: (Σᵢ sᵢ·lossᵢ + ½/C·‖W‖²) / Σᵢ sᵢ and its gradient, written plainly. */
function reference(
  rowsX: number[][],
  y: Int32Array,
  classWeight: Float64Array,
  classes: number,
  fitIntercept: boolean,
  C: number,
  w: Float64Array
): {f: number; grad: Float64Array} {
  const p = rowsX[0].length;
  const stride = p + (fitIntercept ? 1 : 0);
  const vectors = classes === 2 ? 1 : classes;
  const grad = new Float64Array(w.length);
  let loss = 0;
  let swSum = 0;
  rowsX.forEach((x, i) => {
    const s = classWeight[y[i]];
    swSum += s;
    const z = Array.from({length: vectors}, (_, k) => {
      let v = fitIntercept ? w[k * stride + p] : 0;
      for (let j = 0; j < p; ++j) v += w[k * stride + j] * x[j];
      return v;
    });
    let residual: number[];
    if (vectors === 1) {
      const prob = 1 / (1 + Math.exp(-z[0]));
      loss += s * (Math.log(1 + Math.exp(z[0])) - y[i] * z[0]);
      residual = [prob - y[i]];
    } else {
      const sum = z.reduce((a, v) => a + Math.exp(v), 0);
      loss += s * (Math.log(sum) - z[y[i]]);
      residual = z.map((v, k) => Math.exp(v) / sum - (k === y[i] ? 1 : 0));
    }
    residual.forEach((r, k) => {
      for (let j = 0; j < p; ++j) grad[k * stride + j] += s * r * x[j];
      if (fitIntercept) grad[k * stride + p] += s * r;
    });
  });
  let penalty = 0;
  for (let k = 0; k < vectors; ++k) {
    for (let j = 0; j < p; ++j) {
      penalty += w[k * stride + j] ** 2;
      grad[k * stride + j] += w[k * stride + j] / C;
    }
  }
  return {f: (loss + (0.5 * penalty) / C) / swSum, grad: grad.map((g) => g / swSum)};
}

describe("logisticObjective", () => {
  // 2500 rows span several 1024-row blocks and a partial one; 7 columns leave remainders after the
  // 4-column and 2-column sweeps; 4 and 5 classes mix the three-class kernels with single ones.
  for (const classes of [2, 3, 4, 5]) {
    for (const fitIntercept of [true, false]) {
      it(`matches a plain row-by-row loss and gradient (${classes} classes, intercept ${fitIntercept})`, () => {
        const rng = createRng(classes * 10 + Number(fitIntercept));
        const n = 2500;
        const p = 7;
        const rowsX = Array.from({length: n}, () => Array.from({length: p}, () => rng.normal() * 2));
        const X = {rows: n, cols: Array.from({length: p}, (_, j) => Float64Array.from(rowsX, (r) => r[j]))};
        const y = Int32Array.from({length: n}, () => rng.int(classes));
        const classWeight = Float64Array.from({length: classes}, (_, k) => 0.5 + k);
        const stride = p + (fitIntercept ? 1 : 0);
        const w = Float64Array.from({length: (classes === 2 ? 1 : classes) * stride}, () => rng.normal());
        const {objective} = logisticObjective({X, y, classWeight, classes, fitIntercept, C: 0.7});
        const grad = new Float64Array(w.length);
        const f = objective(w, grad);
        const expected = reference(rowsX, y, classWeight, classes, fitIntercept, 0.7, w);
        expect(f).toBeCloseTo(expected.f, 12);
        for (let i = 0; i < w.length; ++i) expect(grad[i]).toBeCloseTo(expected.grad[i], 12);
        // Reusing the objective (its scratch buffers) gives the same answer.
        const again = new Float64Array(w.length);
        expect(objective(w, again)).toBe(f);
        expect(again).toEqual(grad);
      });
    }
  }
});

describe("logisticObjective on threads", () => {
  // Binary fits this large run their passes as WebAssembly SIMD; 3 classes run the JS passes.
  for (const classes of [2, 3]) {
    it(`gives bit-identical loss and gradient on one thread and on two, the helper taking row chunks (${classes} classes)`, async () => {
      const rng = createRng(3);
      const n = 300_001; // an odd last block
      const p = 7; // a group of four columns and three single ones
      const X = {
        rows: n,
        cols: Array.from({length: p}, () => Float64Array.from({length: n}, () => rng.normal()))
      };
      const y = Int32Array.from({length: n}, () => rng.int(classes));
      const classWeight = Float64Array.from({length: classes}, (_, k) => 0.5 + k);
      const setup = {X, y, classWeight, classes, fitIntercept: true, C: 0.3};
      const w = Float64Array.from(
        {length: (classes === 2 ? 1 : classes) * (p + 1)},
        () => rng.normal() * 0.1
      );
      // The plain row-by-row objective, to rounding.
      const rowsX = Array.from({length: n}, (_, i) => X.cols.map((c) => c[i]));
      const expected = reference(rowsX, y, classWeight, classes, true, 0.3, w);
      const one = logisticObjective({...setup, threads: 1});
      const two = logisticObjective({...setup, threads: 2});
      try {
        const g1 = new Float64Array(w.length);
        const f1 = one.objective(w, g1);
        expect(one.helperRows()).toBe(0);
        expect(f1).toBeCloseTo(expected.f, 12);
        for (let i = 0; i < w.length; ++i) expect(g1[i]).toBeCloseTo(expected.grad[i], 12);
        // The helper starts in the background: evaluate until it has taken part (each evaluation
        // must agree to the bit either way).
        for (let i = 0; i < 400 && two.helperRows() === 0; ++i) {
          const g2 = new Float64Array(w.length);
          expect(two.objective(w, g2)).toBe(f1);
          expect(g2).toEqual(g1);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(two.helperRows()).toBeGreaterThan(0);
        const g2 = new Float64Array(w.length);
        expect(two.objective(w, g2)).toBe(f1);
        expect(g2).toEqual(g1);
      } finally {
        one.close();
        two.close();
      }
    }, 60_000);
  }
});
