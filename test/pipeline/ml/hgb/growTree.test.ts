import fc from "fast-check";
import {describe, expect, it} from "vitest";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {MISSING_BIN} from "../../../../src/pipeline/ml/hgb/binMapper.ts";
import {growTree, type GrowParams} from "../../../../src/pipeline/ml/hgb/growTree.ts";
import {HgbWorkspace} from "../../../../src/pipeline/ml/hgb/hgbWorkspace.ts";
import {referenceSplit, type Histogram} from "./referenceSplit.ts";

/**
 * The boosting grower on random binned data, checked against what a tree must be: every row in
 * one leaf, each leaf's value the regularized mean of its rows' gradients, each split the best one
 * (by the plain split search) of the rows that reach it, and the limits respected.
 */
describe("growTree", () => {
  it("grows sklearn's best-first tree: leaves partition the rows, splits are each node's best, limits hold", () => {
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.integer({min: 2, max: 160}),
          features: fc.integer({min: 1, max: 3}),
          constantHessian: fc.boolean(),
          maxLeafNodes: fc.option(fc.integer({min: 2, max: 8}), {nil: null}),
          maxDepth: fc.option(fc.integer({min: 1, max: 4}), {nil: null}),
          minSamplesLeaf: fc.integer({min: 1, max: 6}),
          l2: fc.constantFrom(0, 0.5),
          shrinkage: fc.constantFrom(1, 0.1),
          seed: fc.integer({min: 1, max: 1 << 30})
        }),
        (c) => {
          const random = random01(c.seed);
          const ws = new HgbWorkspace({
            nRows: c.rows,
            nFeatures: c.features,
            nOutputs: 1,
            constantHessian: c.constantHessian,
            histCapacity: 64,
            nVal: 0,
            maxTreeNodes: 0
          });
          const nBinsNonMissing = Int32Array.from({length: c.features}, () => 2 + Math.floor(random() * 12));
          const hasMissing = new Uint8Array(c.features);
          const bins: Uint8Array[] = [];
          for (let j = 0; j < c.features; ++j) {
            const column = ws.column(j);
            for (let i = 0; i < c.rows; ++i)
              column[i] = random() < 0.15 ? MISSING_BIN : Math.floor(random() * nBinsNonMissing[j]);
            hasMissing[j] = column.includes(MISSING_BIN) ? 1 : 0;
            bins.push(Uint8Array.from(column));
          }
          ws.setFeatureInfo(nBinsNonMissing, hasMissing);
          const g = Float32Array.from({length: c.rows}, () => Math.fround(random() * 4 - 2));
          const h = Float32Array.from({length: c.rows}, () => Math.fround(random() * 2 + 0.05));
          ws.gradients(0).set(g);
          if (!c.constantHessian) ws.hessians(0).set(h);
          ws.raw(0).fill(0);
          const params: GrowParams = {
            maxLeafNodes: c.maxLeafNodes,
            maxDepth: c.maxDepth,
            minSamplesLeaf: c.minSamplesLeaf,
            minHessianToSplit: 1e-3,
            minGainToSplit: 0,
            l2Regularization: c.l2,
            shrinkage: c.shrinkage
          };
          const thresholds = Array.from(nBinsNonMissing, (n) =>
            Float64Array.from({length: n - 1}, (_, b) => b + 0.5)
          );
          const tree = growTree(ws, 0, {thresholds, nBinsNonMissing, hasMissing}, params);
          const hess = (i: number) => (c.constantHessian ? 1 : h[i]);
          const histograms = (rows: number[]): Histogram[] =>
            bins.map((column) => {
              const hist = {g: new Float64Array(256), h: new Float64Array(256), n: new Float64Array(256)};
              for (const i of rows) {
                hist.g[column[i]] += g[i];
                hist.h[column[i]] += hess(i);
                hist.n[column[i]] += 1;
              }
              return hist;
            });
          const search = (
            hists: Histogram[],
            nSamples: number,
            sumG: number,
            sumH: number,
            lossCurrent: number
          ) => ({
            hists,
            nBinsNonMissing: Array.from(nBinsNonMissing),
            hasMissing: Array.from(hasMissing, Boolean),
            constantHessian: c.constantHessian,
            nSamples,
            sumG,
            sumH,
            lossCurrent,
            minSamples: c.minSamplesLeaf,
            minHessian: 1e-3,
            minGain: 0,
            l2: c.l2
          });

          // Route each row down the tree by its bins.
          const reach = new Map<number, number[]>();
          const leafOf = new Int32Array(c.rows);
          for (let i = 0; i < c.rows; ++i) {
            let node = 0;
            let depth = 0;
            for (;;) {
              (reach.get(node) ?? reach.set(node, []).get(node)!).push(i);
              const f = tree.feature[node];
              if (f < 0) break;
              const bin = bins[f][i];
              const left =
                bin === MISSING_BIN ? tree.missingLeft[node] === 1 : bin <= tree.binThreshold[node];
              node = left ? tree.left[node] : tree.right[node];
              depth++;
            }
            leafOf[i] = node;
            if (c.maxDepth !== null) expect(depth).toBeLessThanOrEqual(c.maxDepth);
          }
          const leaves = [...reach.keys()].filter((n) => tree.feature[n] < 0);
          if (c.maxLeafNodes !== null) expect(leaves.length).toBeLessThanOrEqual(c.maxLeafNodes);
          for (let i = 0; i < c.rows; ++i) {
            // The raw prediction update is the row's leaf value, exactly.
            expect(ws.raw(0)[i]).toBe(tree.value[leafOf[i]]);
          }
          const depthOf = new Map<number, number>([[0, 0]]);
          for (let n = 0; n < tree.feature.length; ++n)
            if (tree.feature[n] >= 0)
              for (const child of [tree.left[n], tree.right[n]]) depthOf.set(child, depthOf.get(n)! + 1);
          const gains = new Map<number, number>();
          /** The gain of the best split of a leaf's rows, had it been split (-1: none). */
          const splitGain = (node: number, rows: number[]): number => {
            if (rows.length < 2 * c.minSamplesLeaf) return -1;
            if (c.maxDepth !== null && depthOf.get(node)! >= c.maxDepth) return -1;
            const hists = histograms(rows);
            const sumG = rows.reduce((s, i) => s + g[i], 0);
            const sumH = rows.reduce((s, i) => s + hess(i), 0);
            const value = node === 0 ? 0 : -sumG / (sumH + c.l2 + 1e-15);
            return referenceSplit(search(hists, rows.length, sumG, sumH, sumG * value)).gain;
          };
          for (const [node, rows] of reach) {
            const sumG = rows.reduce((s, i) => s + g[i], 0);
            const sumH = rows.reduce((s, i) => s + hess(i), 0);
            if (tree.feature[node] < 0) {
              gains.set(node, splitGain(node, rows));
              // An unsplit root predicts 0, as sklearn's grower leaves its value; any other leaf
              // -G / (H + l2), shrunk, with at least min_samples_leaf rows.
              if (node === 0) expect(tree.value[node]).toBe(0);
              else {
                expect(tree.value[node]).toBeCloseTo((-sumG / (sumH + c.l2 + 1e-15)) * c.shrinkage, 9);
                expect(rows.length).toBeGreaterThanOrEqual(c.minSamplesLeaf);
              }
              continue;
            }
            // An internal node: its split is the best the plain search finds on its rows.
            const value = node === 0 ? 0 : -sumG / (sumH + c.l2 + 1e-15);
            const best = referenceSplit(search(histograms(rows), rows.length, sumG, sumH, sumG * value));
            gains.set(node, best.gain);
            expect([tree.feature[node], tree.binThreshold[node]]).toEqual([best.feature, best.bin]);
            if (hasMissing[best.feature]) expect(tree.missingLeft[node] === 1).toBe(best.missingLeft);
          }
          // Best first: when the leaf limit stopped the growth, no leaf left unsplit had a better
          // split than the last one made (the node whose children were made last).
          if (c.maxLeafNodes !== null && leaves.length === c.maxLeafNodes) {
            const internal = [...gains.keys()].filter((n) => tree.feature[n] >= 0);
            const last = internal.reduce((a, b) => (tree.left[b] > tree.left[a] ? b : a));
            for (const leaf of leaves)
              if (leaf < tree.left[last])
                expect(gains.get(leaf)!).toBeLessThanOrEqual(gains.get(last)! + 1e-9);
          }
        }
      ),
      {numRuns: 80, seed: 20261202}
    );
  });
});

/** A seeded stream of numbers in [0, 1) for the inputs a property draws. */
function random01(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}
