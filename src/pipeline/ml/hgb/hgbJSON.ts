import type {HgbFit} from "./fitHistGradientBoosting.ts";
import type {HgbTree} from "./hgbTree.ts";
import {checkTree} from "../tree/checkTree.ts";

export interface HgbTreeJSON {
  feature: number[];
  /** JSON has no Infinity: null stands for a "split on NaN" threshold. */
  threshold: (number | null)[];
  binThreshold: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  gain: number[];
}

export interface HgbFitJSON {
  nFeatures: number;
  baseline: number[];
  trees: HgbTreeJSON[][];
  trainScore: number[];
  validationScore: number[];
}

/** Plain arrays of numbers, which JSON carries exactly, so a restored model predicts bit for bit. */
export function hgbFitToJSON(fit: HgbFit, nFeatures: number): HgbFitJSON {
  return {
    nFeatures,
    baseline: Array.from(fit.baseline),
    trees: fit.trees.map((iteration) => iteration.map(treeToJSON)),
    trainScore: fit.trainScore.slice(),
    validationScore: fit.validationScore.slice()
  };
}

export function hgbFitFromJSON(json: HgbFitJSON): HgbFit {
  if (!Array.isArray(json.trees) || !json.trees.every(Array.isArray))
    throw new Error("trees: expected a list of iterations, each a list of trees");
  if (!Array.isArray(json.baseline) || json.trees.some((it) => it.length !== json.baseline.length))
    throw new Error("trees: each iteration needs one tree per output (baseline)");
  return {
    baseline: Float64Array.from(json.baseline),
    trees: json.trees.map((iteration, i) =>
      iteration.map((tree, k) => {
        checkTree(`trees[${i}][${k}]`, tree, (node) => (tree.feature[node] as number) >= 0, json.nFeatures);
        return treeFromJSON(tree);
      })
    ),
    trainScore: json.trainScore.slice(),
    validationScore: json.validationScore.slice()
  };
}

function treeToJSON(tree: HgbTree): HgbTreeJSON {
  return {
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold, (t) => (t === Infinity ? null : t)),
    binThreshold: Array.from(tree.binThreshold),
    missingLeft: Array.from(tree.missingLeft),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    value: Array.from(tree.value),
    gain: Array.from(tree.gain)
  };
}

function treeFromJSON(json: HgbTreeJSON): HgbTree {
  return {
    feature: Int32Array.from(json.feature),
    threshold: Float64Array.from(json.threshold, (t) => (t === null ? Infinity : t)),
    binThreshold: Uint8Array.from(json.binThreshold),
    missingLeft: Uint8Array.from(json.missingLeft),
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    value: Float64Array.from(json.value),
    gain: Float64Array.from(json.gain)
  };
}
