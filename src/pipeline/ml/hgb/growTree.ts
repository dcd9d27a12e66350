import {findNodeSplit, emptySplit, nodeValue} from "./findNodeSplit.ts";
import type {SplitInfo, SplitParams} from "./findNodeSplit.ts";
import type {HgbTree} from "./hgbTree.ts";
import {BIN_STRIDE} from "./hgbWorkspace.ts";
import type {HgbWorkspace} from "./hgbWorkspace.ts";

export interface GrowParams extends SplitParams {
  /** null: unbounded. */
  maxLeafNodes: number | null;
  /** null: unbounded; the root has depth 0. */
  maxDepth: number | null;
  /** The learning rate, applied to leaf values once the tree is grown. */
  shrinkage: number;
}

/** What the tree is grown on besides the workspace's binned columns and gradients. */
export interface GrowData {
  /** Bin edges, to turn a bin split into a raw-value threshold for prediction. */
  thresholds: readonly Float64Array[];
  nBinsNonMissing: Int32Array;
  hasMissing: Uint8Array;
}

interface GrowNode {
  id: number;
  depth: number;
  start: number;
  stop: number;
  sumG: number;
  sumH: number;
  value: number;
  split: SplitInfo;
  /** Histogram slot in the workspace pool, -1 when none. */
  hist: number;
  left: number;
  right: number;
  threshold: number;
  missingLeft: boolean;
  isLeaf: boolean;
}

/**
 * Grows one tree leaf-wise (best gain first) on the workspace's gradients of output k, following
 * sklearn's `TreeGrower`: the smaller child's histograms are built from its rows, the sibling's
 * derived by subtraction from the parent's. Adds the leaf values to the workspace's raw
 * predictions k of every training row, as sklearn's `_update_raw_predictions`.
 */
export function growTree(ws: HgbWorkspace, k: number, data: GrowData, params: GrowParams): HgbTree {
  const {thresholds, nBinsNonMissing, hasMissing} = data;
  const n = ws.nRows;
  const partition = ws.partition;
  for (let i = 0; i < n; ++i) partition[i] = i;
  const nodes: GrowNode[] = [];
  const makeNode = (
    depth: number,
    start: number,
    stop: number,
    sumG: number,
    sumH: number,
    value: number
  ) => {
    const node: GrowNode = {
      id: nodes.length,
      depth,
      start,
      stop,
      sumG,
      sumH,
      value,
      split: emptySplit(),
      hist: -1,
      left: -1,
      right: -1,
      threshold: 0,
      missingLeft: false,
      isLeaf: false
    };
    nodes.push(node);
    return node;
  };
  const release = (node: GrowNode) => {
    if (node.hist < 0) return;
    ws.releaseHist(node.hist);
    node.hist = -1;
  };
  const splittable: GrowNode[] = [];
  let nFinalized = 0;
  const finalize = (node: GrowNode) => {
    node.isLeaf = true;
    ++nFinalized;
    release(node);
  };
  const pushIfSplittable = (node: GrowNode) => {
    const {sumG, sumH, value, split} = node;
    findNodeSplit(ws, node.hist, node.stop - node.start, sumG, sumH, value, params, split);
    if (split.gain <= 0) finalize(node);
    else splittable.push(node);
  };

  const rootHist = ws.takeHist();
  ws.buildHistogram(k, 0, n, rootHist);
  const f64 = ws.f64;
  const off = ws.histOffset(rootHist);
  let sumG = 0,
    sumH = 0;
  for (let b = 0; b < 256; ++b) {
    sumG += f64[off + b * BIN_STRIDE];
    sumH += f64[off + b * BIN_STRIDE + 1];
  }
  if (ws.constantHessian) sumH = n;
  const root = makeNode(0, 0, n, sumG, sumH, 0);
  root.hist = rootHist;
  if (n < 2 * params.minSamplesLeaf || sumH < params.minHessianToSplit) finalize(root);
  else pushIfSplittable(root);

  while (splittable.length > 0) {
    let best = 0;
    for (let i = 1; i < splittable.length; ++i)
      if (splittable[i].split.gain > splittable[best].split.gain) best = i;
    const node = splittable.splice(best, 1)[0];
    const split = node.split;
    const mid = ws.partitionRows(split.feature, node.start, node.stop, split.binIdx, split.missingLeft);
    const depth = node.depth + 1;
    const nLeaves = nFinalized + splittable.length + 2;
    const left = makeNode(
      depth,
      node.start,
      mid,
      split.sumGradientLeft,
      split.sumHessianLeft,
      split.valueLeft
    );
    const right = makeNode(
      depth,
      mid,
      node.stop,
      split.sumGradientRight,
      split.sumHessianRight,
      split.valueRight
    );
    node.left = left.id;
    node.right = right.id;
    // A feature without missing values in training sends NaN where most rows went, as sklearn.
    node.missingLeft = hasMissing[split.feature]
      ? split.missingLeft
      : left.stop - left.start > right.stop - right.start;
    node.threshold =
      split.binIdx === nBinsNonMissing[split.feature] - 1
        ? Infinity
        : thresholds[split.feature][split.binIdx];
    if (params.maxLeafNodes !== null && nLeaves === params.maxLeafNodes) {
      finalize(left);
      finalize(right);
      while (splittable.length > 0) finalize(splittable.pop()!);
    } else if (params.maxDepth !== null && depth === params.maxDepth) {
      finalize(left);
      finalize(right);
    } else {
      if (left.stop - left.start < 2 * params.minSamplesLeaf) finalize(left);
      if (right.stop - right.start < 2 * params.minSamplesLeaf) finalize(right);
    }
    if (!left.isLeaf || !right.isLeaf) {
      const leftSmaller = left.stop - left.start < right.stop - right.start;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      small.hist = ws.takeHist();
      ws.buildHistogram(k, small.start, small.stop, small.hist);
      ws.subtractHistogram(node.hist, small.hist);
      large.hist = node.hist;
      node.hist = -1;
      if (!left.isLeaf) pushIfSplittable(left);
      if (!right.isLeaf) pushIfSplittable(right);
      if (left.isLeaf) release(left);
      if (right.isLeaf) release(right);
    }
    release(node);
  }
  return toTree(nodes, params, ws, k);
}

function toTree(nodes: GrowNode[], params: GrowParams, ws: HgbWorkspace, k: number): HgbTree {
  const m = nodes.length;
  const tree: HgbTree = {
    feature: new Int32Array(m).fill(-1),
    threshold: new Float64Array(m),
    binThreshold: new Uint8Array(m),
    missingLeft: new Uint8Array(m),
    left: new Int32Array(m).fill(-1),
    right: new Int32Array(m).fill(-1),
    value: new Float64Array(m),
    gain: new Float64Array(m)
  };
  const l2 = params.l2Regularization;
  for (const node of nodes) {
    const i = node.id;
    if (node.isLeaf) {
      const v = node.value * params.shrinkage;
      tree.value[i] = v;
      ws.addToRows(k, node.start, node.stop, v);
      continue;
    }
    const s = node.split;
    tree.feature[i] = s.feature;
    tree.threshold[i] = node.threshold;
    tree.binThreshold[i] = s.binIdx;
    tree.missingLeft[i] = node.missingLeft ? 1 : 0;
    tree.left[i] = node.left;
    tree.right[i] = node.right;
    // sklearn's gain takes the root's value as 0; the loss reduction takes its true value.
    tree.gain[i] = s.gain - node.sumG * node.value + node.sumG * nodeValue(node.sumG, node.sumH, l2);
  }
  return tree;
}
