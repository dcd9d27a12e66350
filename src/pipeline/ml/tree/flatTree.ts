import type {Features} from "../types.ts";
import {checkTree} from "./checkTree.ts";

/** sklearn's markers: a leaf has no children (-1) and no feature or threshold (-2). */
export const TREE_LEAF = -1;
export const TREE_UNDEFINED = -2;

/**
 * A fitted tree as flat arrays, nodes in sklearn's order (depth first, left child first), so that
 * prediction is a tight loop and JSON is plain number arrays.
 */
export interface FlatTree {
  readonly nodeCount: number;
  /** Values per node: classes for a classifier (fractions), 1 for a regressor (the mean). */
  readonly outputs: number;
  readonly feature: Int32Array;
  /** Go left when float32(x) <= threshold. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Where NaN goes at prediction time: the child that got more training rows (sklearn's rule). */
  readonly missingLeft: Uint8Array;
  /** `value[node * outputs + k]`. */
  readonly value: Float64Array;
  /** Normalised impurity decrease per feature (sklearn's `feature_importances_` of this tree). */
  readonly importances: Float64Array;
}

/** The JSON form of a FlatTree: the same arrays as plain numbers. */
export interface FlatTreeJSON {
  outputs: number;
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missingLeft: number[];
  value: number[];
  importances: number[];
}

export function flatTreeToJSON(tree: FlatTree): FlatTreeJSON {
  return {
    outputs: tree.outputs,
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    missingLeft: Array.from(tree.missingLeft),
    value: Array.from(tree.value),
    importances: Array.from(tree.importances)
  };
}

export function flatTreeFromJSON(json: FlatTreeJSON, where = "tree"): FlatTree {
  checkTree(where, json, (node) => json.left[node] !== TREE_LEAF);
  const nodeCount = json.feature.length;
  const same = [json.threshold, json.left, json.right, json.missingLeft];
  if (
    !(json.outputs >= 1) ||
    same.some((a) => a.length !== nodeCount) ||
    json.value.length !== nodeCount * json.outputs
  ) {
    throw new Error("invalid tree state: array lengths disagree");
  }
  return {
    nodeCount,
    outputs: json.outputs,
    feature: Int32Array.from(json.feature),
    threshold: Float64Array.from(json.threshold),
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    missingLeft: Uint8Array.from(json.missingLeft),
    value: Float64Array.from(json.value),
    importances: Float64Array.from(json.importances)
  };
}

/** The leaf each row lands in (sklearn's `apply`). */
export function applyTree(tree: FlatTree, X: Features): Int32Array {
  const {feature, threshold, left, right, missingLeft} = tree;
  const cols = X.cols;
  const leaves = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; ++i) {
    let node = 0;
    while (left[node] !== TREE_LEAF) {
      // sklearn compares the float32 cast of x with a float64 threshold.
      const v = Math.fround(cols[feature[node]][i]);
      node = v <= threshold[node] || (v !== v && missingLeft[node] === 1) ? left[node] : right[node];
    }
    leaves[i] = node;
  }
  return leaves;
}

/** Adds each row's leaf values to `out[k][i]` (for forests, which average many trees). */
export function addTreeValues(tree: FlatTree, X: Features, out: Float64Array[]): void {
  const leaves = applyTree(tree, X);
  const {value, outputs} = tree;
  for (let k = 0; k < outputs; ++k) {
    const o = out[k];
    for (let i = 0; i < leaves.length; ++i) o[i] += value[leaves[i] * outputs + k];
  }
}

/** Leaf values per output: class fractions for a classifier, the mean for a regressor. */
export function treeValues(tree: FlatTree, X: Features): Float64Array[] {
  const out = Array.from({length: tree.outputs}, () => new Float64Array(X.rows));
  addTreeValues(tree, X, out);
  return out;
}

/** Index of the largest value per row, the first one on ties (numpy's argmax). */
export function argmaxRows(values: readonly Float64Array[], rows: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; ++i) {
    let best = values[0][i];
    let arg = 0;
    for (let k = 1; k < values.length; ++k) {
      if (values[k][i] > best) {
        best = values[k][i];
        arg = k;
      }
    }
    out[i] = arg;
  }
  return out;
}
