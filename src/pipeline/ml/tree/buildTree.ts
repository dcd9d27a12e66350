import type {Rng} from "../rng.ts";
import type {FlatTree} from "./flatTree.ts";
import {
  entropyOf,
  ENTROPY,
  FEATURE_THRESHOLD,
  GINI,
  scanBest,
  scanClasses,
  scanGiniBinary,
  scanSquaredError,
  partitionRange,
  SQUARED_ERROR
} from "./splitScan.ts";
import {NodeArrays} from "./treeNodes.ts";
import {rowsOf, valuesOf, type TreeData} from "./treeData.ts";

export type TreeCriterion = "gini" | "entropy" | "squared_error";

/** What one tree is fitted to: class indices 0..classes-1, or real targets. */
export type TreeTarget =
  | {readonly kind: "classification"; readonly y: Int32Array; readonly classes: number}
  | {readonly kind: "regression"; readonly y: Float64Array};

/** Resolved growth limits (sklearn's values after `fit` has normalised its params). */
export interface TreeSettings {
  readonly criterion: TreeCriterion;
  readonly maxDepth: number;
  /** Already raised to at least 2 · minSamplesLeaf, as sklearn does. */
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /** Features to draw per split, 1..features. */
  readonly maxFeatures: number;
  readonly minImpurityDecrease: number;
}

/** sklearn's tolerance for a pure node and a worthless split (double eps). */
const EPSILON = 2.220446049250313e-16;

/**
 * Buffers for growing trees on one TreeData, reused from tree to tree on one thread: each
 * feature's (row, float32 value) pairs of the tree's rows (a bootstrap's ~63%; one double a pair,
 * read through rowsOf and valuesOf), in value order within every node's range. A split partitions
 * each range in place (lefts stay, rights go through `scratch`, one feature's rows long), so one
 * copy of the pairs is all a tree needs.
 */
export class TreeWorkspace {
  items: Float64Array = new Float64Array(0);
  ord: Int32Array = new Int32Array(0);
  vals: Float32Array = new Float32Array(0);
  readonly scratch: Float64Array;
  readonly mark: Uint8Array;
  /** Per row: [2i] class index or w·y, [2i + 1] weight; one cache line for the scan's only random read. */
  readonly rowData: Float64Array;
  constructor(readonly data: TreeData) {
    this.scratch = new Float64Array(data.rows);
    this.mark = new Uint8Array(data.rows);
    this.rowData = new Float64Array(2 * data.rows);
  }

  /**
   * Room for `m` rows of every feature. Bootstrap trees vary by a few hundred rows around 63% of
   * the rows: the pairs get 1% more than the first tree asks, so later trees rarely reallocate.
   */
  reserve(m: number): void {
    const p = this.data.features;
    if (this.items.length >= m * p) return;
    const rows = Math.min(this.data.rows, Math.ceil(m * 1.01));
    this.items = new Float64Array(rows * p);
    this.ord = rowsOf(this.items);
    this.vals = valuesOf(this.items);
  }
}

/**
 * Grows one CART tree exactly as sklearn's DepthFirstTreeBuilder with the "best" splitter does.
 * Rows of weight 0 take no part (how bootstrap counts become a tree without copying rows).
 *
 * Instead of sorting each node's rows per candidate feature, every feature keeps its rows in value
 * order over the node's range (from the presort), and a split stably partitions those ranges; the
 * candidate thresholds, tie skipping, feature draws and sums are sklearn's, in the same order.
 */
export function buildTree(
  workspace: TreeWorkspace,
  target: TreeTarget,
  settings: TreeSettings,
  weights: Float64Array | null,
  rng: Rng
): FlatTree {
  return new TreeBuilder(workspace, target, settings, weights, rng).build();
}

class TreeBuilder {
  private readonly n: number;
  private readonly p: number;
  // The tree's pairs (see TreeWorkspace), set once its rows are known.
  private ord: Int32Array = new Int32Array(0);
  private vals: Float32Array = new Float32Array(0);
  private readonly rowData: Float64Array;
  private readonly w: Float64Array;
  private readonly yr: Float64Array;
  private readonly crit: number;
  private readonly outputs: number;
  private m = 0;
  private weightedSamples = 0;

  // Node totals: per class, or (regression) the sum of w·y and of w·y².
  private readonly sumTotal: Float64Array;
  private readonly sumLeft: Float64Array;
  private wNode = 0;
  private sumY = 0;
  private sqSumY = 0;

  // sklearn's persistent feature permutation and constant-feature bookkeeping.
  private readonly featureIds: Int32Array;
  private readonly constantIds: Int32Array;

  // The last node split.
  private bestFeature = 0;
  private bestPos = 0;
  private bestThreshold = 0;
  private bestImprovement = 0;
  private impurityLeft = 0;
  private impurityRight = 0;

  private readonly nodes: NodeArrays;

  constructor(
    private readonly ws: TreeWorkspace,
    target: TreeTarget,
    private readonly settings: TreeSettings,
    weights: Float64Array | null,
    private readonly rng: Rng
  ) {
    const data = ws.data;
    this.n = data.rows;
    this.p = data.features;
    this.rowData = ws.rowData;
    this.w = weights ?? new Float64Array(data.rows).fill(1);
    const rowData = this.rowData;
    if (target.kind === "classification") {
      for (let i = 0; i < this.n; ++i) rowData[2 * i] = target.y[i];
      this.yr = new Float64Array(0);
      this.outputs = target.classes;
      this.crit = settings.criterion === "entropy" ? ENTROPY : GINI;
    } else {
      for (let i = 0; i < this.n; ++i) rowData[2 * i] = this.w[i] * target.y[i];
      this.yr = target.y;
      this.outputs = 1;
      this.crit = SQUARED_ERROR;
    }
    for (let i = 0; i < this.n; ++i) rowData[2 * i + 1] = this.w[i];
    this.sumTotal = new Float64Array(this.outputs);
    this.sumLeft = new Float64Array(this.outputs);
    this.featureIds = Int32Array.from({length: this.p}, (_, j) => j);
    this.constantIds = new Int32Array(this.p);
    this.nodes = new NodeArrays(this.outputs);
  }

  build(): FlatTree {
    this.initOrders();
    const {maxDepth, minSamplesSplit, minSamplesLeaf, minImpurityDecrease} = this.settings;
    // Stack records: start, end, depth, parent, isLeft, nConstant, feature whose order to sum over.
    const stack: number[] = [0, this.m, 0, -1, 0, 0, 0];
    const stackImpurity: number[] = [Infinity];
    let first = true;
    while (stackImpurity.length > 0) {
      const sumFeature = stack.pop()!;
      let nConstant = stack.pop()!;
      const isLeft = stack.pop()!;
      const parent = stack.pop()!;
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      let impurity = stackImpurity.pop()!;
      const nNode = end - start;
      this.nodeTotals(sumFeature, start, end);
      let isLeaf = depth >= maxDepth || nNode < minSamplesSplit || nNode < 2 * minSamplesLeaf;
      if (first) {
        impurity = this.nodeImpurity();
        first = false;
      }
      isLeaf = isLeaf || impurity <= EPSILON;
      if (!isLeaf) {
        nConstant = this.nodeSplit(start, end, nConstant, impurity);
        isLeaf = this.bestPos >= end || this.bestImprovement + EPSILON < minImpurityDecrease;
      }
      const id = this.addNode(parent, isLeft, isLeaf, impurity, start, end);
      if (isLeaf) continue;
      const pos = this.bestPos;
      const childDepth = depth + 1;
      const splittable = (size: number) => childDepth < maxDepth && size >= minSamplesSplit;
      // Children that cannot split only sum over the split feature, already in order here.
      if (splittable(pos - start) || splittable(end - pos)) this.partition(start, pos, end, nConstant);
      stack.push(pos, end, childDepth, id, 0, nConstant, this.bestFeature);
      stackImpurity.push(this.impurityRight);
      stack.push(start, pos, childDepth, id, 1, nConstant, this.bestFeature);
      stackImpurity.push(this.impurityLeft);
    }
    return this.nodes.finish(this.p);
  }

  /** Copies each feature's presorted pairs, keeping only rows of positive weight (sklearn's samples). */
  private initOrders(): void {
    const {n, p, w} = this;
    const ws = this.ws;
    const mark = ws.mark;
    const {order, cols} = ws.data;
    let m = 0;
    let total = 0;
    for (let i = 0; i < n; ++i) {
      total += w[i];
      mark[i] = w[i] !== 0 ? 1 : 0;
      m += mark[i];
    }
    this.m = m;
    this.weightedSamples = total;
    ws.reserve(m);
    const ord = ws.ord;
    const vals = ws.vals;
    this.ord = ord;
    this.vals = vals;
    for (let f = 0; f < p; ++f) {
      const col = cols[f];
      let k = 2 * f * m;
      // Branch-free: every pair is written, only kept ones advance (the next one overwrites).
      // Writing a float64 value into the Float32Array view rounds it as sklearn's cast does.
      for (let q = f * n; q < (f + 1) * n; ++q) {
        const r = order[q];
        ord[k] = r;
        vals[k + 1] = col[r];
        k += 2 * mark[r];
      }
    }
  }

  private nodeTotals(f: number, start: number, end: number): void {
    const {ord, rowData} = this;
    const base = f * this.m;
    let wNode = 0;
    if (this.crit === SQUARED_ERROR) {
      const y = this.yr;
      let sum = 0;
      let sq = 0;
      for (let q = base + start; q < base + end; ++q) {
        const r = ord[2 * q];
        const wy = rowData[2 * r];
        sum += wy;
        sq += wy * y[r];
        wNode += rowData[2 * r + 1];
      }
      this.sumY = sum;
      this.sqSumY = sq;
    } else {
      const sumTotal = this.sumTotal;
      sumTotal.fill(0);
      for (let q = base + start; q < base + end; ++q) {
        const r = ord[2 * q];
        const wr = rowData[2 * r + 1];
        sumTotal[rowData[2 * r]] += wr;
        wNode += wr;
      }
    }
    this.wNode = wNode;
  }

  private nodeImpurity(): number {
    const wNode = this.wNode;
    if (this.crit === SQUARED_ERROR) {
      const mean = this.sumY / wNode;
      return this.sqSumY / wNode - mean * mean;
    }
    const sumTotal = this.sumTotal;
    if (this.crit === GINI) {
      let sq = 0;
      for (let c = 0; c < this.outputs; ++c) sq += sumTotal[c] * sumTotal[c];
      return 1 - sq / (wNode * wNode);
    }
    return entropyOf(sumTotal, sumTotal, this.outputs, wNode, false);
  }

  /**
   * sklearn's node_split_best: draws features without replacement (Fisher–Yates over the
   * persistent `featureIds`), skips and remembers constant ones, and keeps drawing until
   * maxFeatures non-constant features were evaluated. Returns the constant count for the children.
   */
  private nodeSplit(start: number, end: number, nKnown: number, impurity: number): number {
    const {vals, ord, p, m, rng, rowData} = this;
    const features = this.featureIds;
    const constants = this.constantIds;
    const {maxFeatures, minSamplesLeaf} = this.settings;
    let fI = p;
    let nVisited = 0;
    let nFound = 0;
    let nDrawn = 0;
    let nTotal = nKnown;
    let bestProxy = -Infinity;
    this.bestPos = end;
    while (fI > nTotal && (nVisited < maxFeatures || nVisited <= nFound + nDrawn)) {
      ++nVisited;
      let fJ = nDrawn + rng.int(fI - nFound - nDrawn);
      if (fJ < nKnown) {
        const t = features[nDrawn];
        features[nDrawn] = features[fJ];
        features[fJ] = t;
        ++nDrawn;
        continue;
      }
      fJ += nFound;
      const f = features[fJ];
      const base = f * m;
      if (vals[2 * (base + end - 1) + 1] <= Math.fround(vals[2 * (base + start) + 1] + FEATURE_THRESHOLD)) {
        features[fJ] = features[nTotal];
        features[nTotal] = f;
        ++nFound;
        ++nTotal;
        continue;
      }
      --fI;
      features[fJ] = features[fI];
      features[fI] = f;
      const pos =
        this.crit === SQUARED_ERROR
          ? scanSquaredError(vals, ord, rowData, this.sumY, this.wNode, base, start, end, minSamplesLeaf)
          : this.crit === GINI && this.outputs === 2
            ? scanGiniBinary(
                vals,
                ord,
                rowData,
                this.sumTotal[0],
                this.sumTotal[1],
                this.wNode,
                base,
                start,
                end,
                minSamplesLeaf
              )
            : scanClasses(
                vals,
                ord,
                rowData,
                this.sumTotal,
                this.sumLeft,
                this.wNode,
                base,
                start,
                end,
                minSamplesLeaf,
                this.crit
              );
      if (scanBest > bestProxy) {
        bestProxy = scanBest;
        const lo = vals[2 * (base + pos) - 1];
        const hi = vals[2 * (base + pos) + 1];
        let threshold = lo / 2 + hi / 2;
        if (threshold === hi || threshold === Infinity || threshold === -Infinity) threshold = lo;
        this.bestFeature = f;
        this.bestPos = pos;
        this.bestThreshold = threshold;
      }
    }
    if (this.bestPos < end) this.childrenImpurity(start, end, impurity);
    // sklearn's invariant: known constants keep their order for siblings and children.
    for (let k = 0; k < nKnown; ++k) features[k] = constants[k];
    for (let k = nKnown; k < nTotal; ++k) constants[k] = features[k];
    return nTotal;
  }

  /** Criterion.reset + update(bestPos) + children_impurity + impurity_improvement. */
  private childrenImpurity(start: number, end: number, impurity: number): void {
    const {ord, rowData} = this;
    const base = this.bestFeature * this.m;
    const pos = this.bestPos;
    const forward = pos - start <= end - pos;
    const wNode = this.wNode;
    const sumLeft = this.sumLeft;
    const K = this.outputs;
    for (let c = 0; c < K; ++c)
      sumLeft[c] = forward ? 0 : this.crit === SQUARED_ERROR ? this.sumY : this.sumTotal[c];
    let wL = forward ? 0 : wNode;
    if (forward) {
      for (let q = base + start; q < base + pos; ++q)
        wL += addRow(this.crit, sumLeft, rowData, ord[2 * q], 1);
    } else {
      for (let q = base + end - 1; q >= base + pos; --q)
        wL += addRow(this.crit, sumLeft, rowData, ord[2 * q], -1);
    }
    const wR = wNode - wL;
    if (this.crit === SQUARED_ERROR) {
      const y = this.yr;
      let sqL = 0;
      for (let q = base + start; q < base + pos; ++q) sqL += rowData[2 * ord[2 * q]] * y[ord[2 * q]];
      const sumL = sumLeft[0];
      const sumR = this.sumY - sumL;
      this.impurityLeft = sqL / wL - (sumL / wL) * (sumL / wL);
      this.impurityRight = (this.sqSumY - sqL) / wR - (sumR / wR) * (sumR / wR);
    } else if (this.crit === GINI) {
      let sqL = 0;
      let sqR = 0;
      for (let c = 0; c < K; ++c) {
        const l = sumLeft[c];
        const r = this.sumTotal[c] - l;
        sqL += l * l;
        sqR += r * r;
      }
      this.impurityLeft = 1 - sqL / (wL * wL);
      this.impurityRight = 1 - sqR / (wR * wR);
    } else {
      this.impurityLeft = entropyOf(this.sumTotal, sumLeft, K, wL, false);
      this.impurityRight = entropyOf(this.sumTotal, sumLeft, K, wR, true);
    }
    this.bestImprovement =
      (wNode / this.weightedSamples) *
      (impurity - (wR / wNode) * this.impurityRight - (wL / wNode) * this.impurityLeft);
  }

  /**
   * Stably splits every still-useful feature's range into rows going left, then right, each half
   * still in value order, in place (the split feature's range is in that order already).
   * Constant features are never evaluated again below this node, so they are left as they are.
   */
  private partition(start: number, pos: number, end: number, nConstant: number): void {
    const {ord, m, p} = this;
    const {mark, items, scratch} = this.ws;
    const split = this.bestFeature;
    const sb = split * m;
    for (let q = sb + start; q < sb + pos; ++q) mark[ord[2 * q]] = 1;
    for (let q = sb + pos; q < sb + end; ++q) mark[ord[2 * q]] = 0;
    const features = this.featureIds;
    for (let k = nConstant; k < p; ++k) {
      const f = features[k];
      if (f !== split) partitionRange(items, ord, mark, scratch, f * m + start, pos - start, f * m + end);
    }
  }

  private addNode(
    parent: number,
    isLeft: number,
    isLeaf: boolean,
    impurity: number,
    start: number,
    end: number
  ): number {
    const nodes = this.nodes;
    const id = nodes.add(parent, isLeft === 1);
    if (isLeaf) {
      nodes.setLeaf(id);
    } else {
      // Without missing values in training, NaN follows the larger child (row counts, not weights).
      const missingLeft = this.bestPos - start > end - this.bestPos;
      nodes.setSplit(id, this.bestFeature, this.bestThreshold, missingLeft);
    }
    nodes.impurity[id] = impurity;
    nodes.weighted[id] = this.wNode;
    const K = this.outputs;
    const value = nodes.value;
    if (this.crit === SQUARED_ERROR) value[id] = this.sumY / this.wNode;
    else for (let c = 0; c < K; ++c) value[id * K + c] = this.sumTotal[c] / this.wNode;
    return id;
  }
}

/** Adds (sign 1) or removes (sign −1) row r's weight to the left sums; returns the signed weight. */
function addRow(crit: number, sumLeft: Float64Array, rowData: Float64Array, r: number, sign: number): number {
  const wr = sign * rowData[2 * r + 1];
  if (crit === SQUARED_ERROR) sumLeft[0] += sign * rowData[2 * r];
  else sumLeft[rowData[2 * r]] += wr;
  return wr;
}
