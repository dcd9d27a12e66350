import type {HgbWorkspace} from "./hgbWorkspace.ts";

/** The best split of a node, as sklearn's `SplitInfo` (numerical features only). */
export interface SplitInfo {
  /** sklearn's gain: `G·v - G_L·v_L - G_R·v_R`, v a node's value, the root's taken as 0. */
  gain: number;
  feature: number;
  /** Rows with bin <= binIdx go left. */
  binIdx: number;
  missingLeft: boolean;
  sumGradientLeft: number;
  sumHessianLeft: number;
  sumGradientRight: number;
  sumHessianRight: number;
  nLeft: number;
  nRight: number;
  valueLeft: number;
  valueRight: number;
}

export interface SplitParams {
  minSamplesLeaf: number;
  minHessianToSplit: number;
  minGainToSplit: number;
  l2Regularization: number;
}

export function emptySplit(): SplitInfo {
  return {
    gain: -1,
    feature: 0,
    binIdx: 0,
    missingLeft: false,
    sumGradientLeft: 0,
    sumHessianLeft: 0,
    sumGradientRight: 0,
    sumHessianRight: 0,
    nLeft: 0,
    nRight: 0,
    valueLeft: 0,
    valueRight: 0
  };
}

/** sklearn's `compute_node_value` without monotonic bounds. */
export function nodeValue(sumGradient: number, sumHessian: number, l2: number): number {
  return -sumGradient / (sumHessian + l2 + 1e-15);
}

/**
 * sklearn's `Splitter.find_node_split` on the histograms in workspace slot `hist`. Each feature
 * is scanned left to right with missing values going right, and, when it had missing values in
 * training, right to left with them going left; a candidate must leave `min_samples_leaf` rows
 * and `min_hessian_to_split` hessian on both sides. The first strictly best gain wins (feature
 * order, then scan order). The scan itself runs in wasm (`findSplit` in hgbKernels.ts). Writes
 * into `out`; `out.gain <= 0` means no split.
 */
export function findNodeSplit(
  ws: HgbWorkspace,
  hist: number,
  nSamples: number,
  sumGradients: number,
  sumHessians: number,
  value: number,
  params: SplitParams,
  out: SplitInfo
): void {
  const l2 = params.l2Regularization;
  ws.kernels.findSplit(
    ws.histPtr(hist),
    ws.nFeatures,
    ws.nBinsNonMissingPtr,
    ws.hasMissingPtr,
    ws.constantHessian ? 1 : 0,
    ws.splitOutPtr,
    nSamples,
    sumGradients,
    sumHessians,
    sumGradients * value,
    params.minSamplesLeaf,
    params.minHessianToSplit,
    params.minGainToSplit,
    l2
  );
  const r = ws.f64;
  const at = ws.splitOutPtr / 8;
  out.gain = r[at];
  if (out.gain <= 0) return;
  const gl = r[at + 4];
  const hl = r[at + 5];
  out.feature = r[at + 1];
  out.binIdx = r[at + 2];
  out.missingLeft = r[at + 3] === 1;
  out.sumGradientLeft = gl;
  out.sumHessianLeft = hl;
  out.sumGradientRight = sumGradients - gl;
  out.sumHessianRight = sumHessians - hl;
  out.nLeft = r[at + 6];
  out.nRight = nSamples - out.nLeft;
  out.valueLeft = nodeValue(gl, hl, l2);
  out.valueRight = nodeValue(sumGradients - gl, sumHessians - hl, l2);
}
