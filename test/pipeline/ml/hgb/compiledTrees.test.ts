import {describe, expect, it} from "vitest";
import {compileTrees} from "../../../../src/pipeline/ml/hgb/compiledTrees.ts";
import {
  addForestPrediction,
  addTreePrediction,
  type HgbTree
} from "../../../../src/pipeline/ml/hgb/hgbTree.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import type {Features} from "../../../../src/pipeline/ml/types.ts";

/** A random tree of `leaves` leaves over `nf` features: thresholds from the data's values, ±∞, ±0. */
function randomTree(next: () => number, leaves: number, nf: number): HgbTree {
  const feature: number[] = [-1];
  const threshold: number[] = [0];
  const missingLeft: number[] = [0];
  const left: number[] = [0];
  const right: number[] = [0];
  const value: number[] = [0];
  let open = [0];
  for (let made = 1; made < leaves; ++made) {
    const node = open.splice(Math.floor(next() * open.length), 1)[0];
    const pick = next();
    feature[node] = Math.floor(next() * nf);
    threshold[node] =
      pick < 0.05
        ? Infinity
        : pick < 0.08
          ? -Infinity
          : pick < 0.12
            ? -0
            : Math.round((next() * 4 - 2) * 8) / 8;
    missingLeft[node] = next() < 0.5 ? 1 : 0;
    for (const side of [left, right]) {
      side[node] = feature.length;
      feature.push(-1);
      threshold.push(0);
      missingLeft.push(0);
      left.push(0);
      right.push(0);
      value.push(next() < 0.05 ? -0 : (next() - 0.5) * 1e-3 * 3 ** Math.floor(next() * 10));
    }
    open = [...open, left[node], right[node]];
  }
  const n = feature.length;
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    binThreshold: new Uint8Array(n),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    gain: new Float64Array(n)
  };
}

/** Rows whose values sit on the thresholds' grid (ties), with NaN, ±∞ and ±0 among them. */
function randomRows(next: () => number, rows: number, nf: number): Features {
  const special = [NaN, Infinity, -Infinity, 0, -0];
  const cols = Array.from({length: nf}, () =>
    Float64Array.from({length: rows}, () =>
      next() < 0.1 ? special[Math.floor(next() * special.length)] : Math.round((next() * 5 - 2.5) * 8) / 8
    )
  );
  return {rows, cols};
}

/** The reference: every tree walked over all rows, one tree after another. */
function walked(trees: HgbTree[][], X: Features, outputs: number, baseline: number): Float64Array[] {
  const out = Array.from({length: outputs}, () => new Float64Array(X.rows).fill(baseline));
  for (let k = 0; k < outputs; ++k) for (const iteration of trees) addTreePrediction(iteration[k], X, out[k]);
  return out;
}

describe("compiled boosting trees", () => {
  it("give the walk's numbers to the bit: ties, NaN both ways, ±∞ thresholds, −0 leaves, 1 and 3 outputs", () => {
    const rng = createRng(11);
    const next = () => rng.next();
    for (const [outputs, leaves] of [
      [1, 31],
      [3, 7],
      [1, 255]
    ]) {
      const nf = 6;
      const trees = Array.from({length: 40}, () =>
        Array.from({length: outputs}, () => randomTree(next, leaves, nf))
      );
      expect(compileTrees(trees.map((t) => t[0]))).not.toBeNull();
      // 3,000 rows: blocks of 1,024 rows and a partial one.
      const X = randomRows(next, 3000, nf);
      const expected = walked(trees, X, outputs, 0.25);
      const out = Array.from({length: outputs}, () => new Float64Array(X.rows).fill(0.25));
      addForestPrediction(trees, X, out);
      for (let k = 0; k < outputs; ++k) {
        const differ = expected[k].filter((v, i) => !Object.is(v, out[k][i])).length;
        expect({outputs, leaves, k, differ}).toEqual({outputs, leaves, k, differ: 0});
      }
      // A range of rows only, as a helper thread takes one.
      const part = Array.from({length: outputs}, () => new Float64Array(X.rows).fill(0.25));
      addForestPrediction(trees, X, part, 1000, 2100);
      for (let k = 0; k < outputs; ++k)
        for (let i = 0; i < X.rows; ++i)
          expect(part[k][i]).toBe(i >= 1000 && i < 2100 ? expected[k][i] : 0.25);
    }
  });

  it("walks a tree too deep to compile, with the same numbers", () => {
    const rng = createRng(5);
    const next = () => rng.next();
    // A chain 80 splits deep: each split sends values above its threshold one level down.
    const depth = 80;
    const n = 2 * depth + 1;
    const tree: HgbTree = {
      feature: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n),
      binThreshold: new Uint8Array(n),
      missingLeft: new Uint8Array(n),
      left: new Int32Array(n),
      right: new Int32Array(n),
      value: new Float64Array(n),
      gain: new Float64Array(n)
    };
    for (let d = 0, node = 0; d < depth; ++d) {
      tree.feature[node] = d % 2;
      tree.threshold[node] = -2 + (4 * d) / depth;
      tree.missingLeft[node] = d % 3 === 0 ? 1 : 0;
      tree.left[node] = node + 1;
      tree.value[node + 1] = d / 7;
      tree.right[node] = node + 2;
      node += 2;
      if (d === depth - 1) tree.value[node] = 99;
    }
    expect(compileTrees([tree])).toBeNull();
    const X = randomRows(next, 2000, 2);
    const expected = walked([[tree]], X, 1, 0);
    const out = [new Float64Array(X.rows)];
    addForestPrediction([[tree]], X, out);
    expect(Array.from(out[0])).toEqual(Array.from(expected[0]));
  });
});
