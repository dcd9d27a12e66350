import {BIN_BYTES, createHgbKernels, FEATURE_BYTES, HIST_GROUPS} from "./hgbKernels.ts";
import type {HgbKernels, HistGroup} from "./hgbKernels.ts";
import type {HgbLoss} from "./hgbLoss.ts";
import {MAX_THREADS, type HgbHelpers, type HgbTask} from "./hgbTask.ts";
import {addTreePredictionBinned, type BinnedTree, type HgbTree} from "./hgbTree.ts";

/** Float64s per histogram bin (sum of gradients, sum of hessians, count) and per feature. */
export const BIN_STRIDE = 3;
export const FEATURE_STRIDE = 256 * BIN_STRIDE;

const PAGE = 65536;
const align8 = (bytes: number) => Math.ceil(bytes / 8) * 8;

/** What lays a workspace out: the same dimensions give the same addresses, in any thread. */
export interface HgbDims {
  nRows: number;
  nFeatures: number;
  nOutputs: number;
  constantHessian: boolean;
  histCapacity: number;
  /** Validation rows (early stopping), 0 when none. */
  nVal: number;
  /** Most nodes a tree can have (2 max_leaf_nodes - 1); 0 when unbounded: no tree copies. */
  maxTreeNodes: number;
}

/** Share `i` of `n` of the range [start, stop): contiguous, in order, sizes differing by at most 1. */
export function shareOf(start: number, stop: number, i: number, n: number): [number, number] {
  const count = stop - start;
  return [start + Math.floor((count * i) / n), start + Math.floor((count * (i + 1)) / n)];
}

/** The histogram passes of features [from, to): the widest group that fits, left to right. */
export function histPasses(from: number, to: number): {first: number; group: HistGroup}[] {
  const passes: {first: number; group: HistGroup}[] = [];
  for (let j = from; j < to;) {
    const group = HIST_GROUPS.find((size) => j + size <= to)!;
    passes.push({first: j, group});
    j += group;
  }
  return passes;
}

/**
 * One fit's memory, laid out once in a WebAssembly memory so the wasm kernels and JS share it
 * without copies: binned training columns (a Uint8Array view per column), float64 raw
 * predictions and float32 gradients and hessians per output, the row partition (each tree node owns a range of it) and its split
 * buffer, gathered gradients, a pool of histograms reused across nodes and trees, and the
 * validation rows (binned, with their raw predictions). Helper threads (HgbTeam) lay the same
 * workspace over a shared memory and do their share of its tasks ({@link HgbWorkspace.share}).
 *
 * Views are re-created after the memory grows (only when the histogram pool must grow, which
 * never happens with `max_leaf_nodes` set), so callers fetch them from here rather than keep them.
 */
export class HgbWorkspace {
  readonly kernels: HgbKernels;
  readonly histBytes: number;
  readonly binsPtr: number;
  readonly stride: number;
  readonly gPtr: number[] = [];
  readonly hPtr: number[] = [];
  readonly rawPtr: number[] = [];
  /** float64 targets of the training rows (read by helper threads computing gradients). */
  readonly yPtr: number;
  readonly partitionPtr: number;
  readonly bufferPtr: number;
  readonly ogPtr: number;
  readonly ohPtr: number;
  /** int32 per feature: bins used by non-missing values. */
  readonly nBinsNonMissingPtr: number;
  /** uint8 per feature: 1 when the feature has missing values in the training rows. */
  readonly hasMissingPtr: number;
  /** Seven float64s where the split kernel writes its result. */
  readonly splitOutPtr: number;
  /** Validation rows: binned columns (valStride bytes apart), targets, raw predictions per output, losses. */
  readonly valBinsPtr: number;
  readonly valStride: number;
  readonly yValPtr: number;
  readonly rawValPtr: number[] = [];
  readonly lossTermsPtr: number;
  /** A copy of the iteration's trees (one per output) for helper threads to read. */
  readonly treesPtr: number;
  private readonly treeBytes: number;
  /** The iteration's trees, on the fit's own thread (helpers read the copy). */
  private currentTrees: BinnedTree[] | undefined;
  /** int32 per thread: where the rights of its partition share start. */
  readonly splitAtPtr: number;
  private readonly memory: WebAssembly.Memory;
  private readonly histBase: number;
  private histCapacity: number;
  private histNext = 0;
  private readonly freeHists: number[] = [];
  private buffer: ArrayBufferLike | undefined;
  private views!: {u8: Uint8Array; u32: Uint32Array; f32: Float32Array; f64: Float64Array};
  readonly nRows: number;
  readonly nFeatures: number;
  readonly constantHessian: boolean;
  /** Threads sharing the histogram, partition and gradient work, when the fit has helpers. */
  team: HgbHelpers | undefined;

  /**
   * A fresh workspace, or with `memory` one laid over the memory of another workspace of the
   * same dimensions (a helper thread's view of the fit). `shared` allocates a memory that
   * helper threads can be given.
   */
  constructor(
    readonly dims: HgbDims,
    {shared = false, memory}: {shared?: boolean; memory?: WebAssembly.Memory} = {}
  ) {
    const {nRows, nFeatures, nOutputs, constantHessian, histCapacity, nVal, maxTreeNodes} = dims;
    this.nRows = nRows;
    this.nFeatures = nFeatures;
    this.constantHessian = constantHessian;
    let top = 8; // address 0 stays unused
    const take = (bytes: number) => {
      const at = top;
      top += align8(bytes);
      return at;
    };
    this.stride = align8(nRows);
    this.binsPtr = take(this.stride * nFeatures);
    for (let k = 0; k < nOutputs; ++k) {
      this.rawPtr.push(take(8 * nRows));
      this.gPtr.push(take(4 * nRows));
      this.hPtr.push(constantHessian ? 0 : take(4 * nRows));
    }
    this.yPtr = take(8 * nRows);
    this.partitionPtr = take(4 * nRows);
    this.bufferPtr = take(4 * nRows);
    this.ogPtr = take(4 * nRows);
    this.ohPtr = take(4 * nRows);
    this.nBinsNonMissingPtr = take(4 * nFeatures);
    this.hasMissingPtr = take(nFeatures);
    this.splitOutPtr = take(7 * 8);
    this.splitAtPtr = take(4 * MAX_THREADS);
    this.valStride = align8(nVal);
    this.valBinsPtr = take(this.valStride * nFeatures);
    this.yValPtr = take(8 * nVal);
    for (let k = 0; k < nOutputs; ++k) this.rawValPtr.push(take(8 * nVal));
    this.lossTermsPtr = take(8 * nVal);
    // Per tree: feature, binThreshold, missingLeft, left, right as int32, then value as float64.
    this.treeBytes = align8(5 * 4 * maxTreeNodes) + 8 * maxTreeNodes;
    this.treesPtr = take(nOutputs * this.treeBytes);
    this.histBytes = nFeatures * 256 * BIN_BYTES;
    this.histBase = top;
    this.histCapacity = histCapacity;
    top += histCapacity * this.histBytes;
    const initial = Math.ceil(top / PAGE);
    this.memory =
      memory ??
      (shared
        ? new WebAssembly.Memory({initial, maximum: 65536, shared: true})
        : new WebAssembly.Memory({initial}));
    this.kernels = createHgbKernels(this.memory);
  }

  private view() {
    if (this.buffer !== this.memory.buffer) {
      const b = this.memory.buffer;
      this.buffer = b;
      this.views = {
        u8: new Uint8Array(b),
        u32: new Uint32Array(b),
        f32: new Float32Array(b),
        f64: new Float64Array(b)
      };
    }
    return this.views;
  }

  /** Records what the split kernel needs to know of each feature (once the columns are binned). */
  setFeatureInfo(nBinsNonMissing: Int32Array, hasMissing: Uint8Array): void {
    const {u8} = this.view();
    new Int32Array(u8.buffer, this.nBinsNonMissingPtr, this.nFeatures).set(nBinsNonMissing);
    u8.set(hasMissing, this.hasMissingPtr);
  }

  /** The memory itself, to hand to helper threads (a shared workspace's only). */
  get sharedMemory(): WebAssembly.Memory {
    return this.memory;
  }

  /** Column j of the binned training data. */
  column(j: number): Uint8Array {
    return this.view().u8.subarray(
      this.binsPtr + j * this.stride,
      this.binsPtr + j * this.stride + this.nRows
    );
  }
  /** Raw predictions of output k for the training rows. */
  raw(k: number): Float64Array {
    return this.view().f64.subarray(this.rawPtr[k] / 8, this.rawPtr[k] / 8 + this.nRows);
  }
  gradients(k: number): Float32Array {
    return this.view().f32.subarray(this.gPtr[k] / 4, this.gPtr[k] / 4 + this.nRows);
  }
  hessians(k: number): Float32Array {
    return this.view().f32.subarray(this.hPtr[k] / 4, this.hPtr[k] / 4 + (this.hPtr[k] ? this.nRows : 0));
  }
  /** Per partition share: where its right rows start. */
  private get splitAt(): Uint32Array {
    return this.view().u32.subarray(this.splitAtPtr / 4, this.splitAtPtr / 4 + MAX_THREADS);
  }

  /** Column j of the binned validation rows. */
  valColumn(j: number): Uint8Array {
    const at = this.valBinsPtr + j * this.valStride;
    return this.view().u8.subarray(at, at + this.dims.nVal);
  }
  get yVal(): Float64Array {
    return this.view().f64.subarray(this.yValPtr / 8, this.yValPtr / 8 + this.dims.nVal);
  }
  /** Raw predictions of output k for the validation rows. */
  rawVal(k: number): Float64Array {
    return this.view().f64.subarray(this.rawValPtr[k] / 8, this.rawValPtr[k] / 8 + this.dims.nVal);
  }
  private get lossTerms(): Float64Array {
    return this.view().f64.subarray(this.lossTermsPtr / 8, this.lossTermsPtr / 8 + this.dims.nVal);
  }

  /** Tree k of the copy (views; nodes past the tree's own are leftovers never reached). */
  private copiedTree(k: number): BinnedTree {
    const m = this.dims.maxTreeNodes;
    const at = this.treesPtr + k * this.treeBytes;
    const {u8} = this.view();
    const i32 = (field: number) => new Int32Array(u8.buffer, at + field * 4 * m, m);
    return {
      feature: i32(0),
      binThreshold: i32(1),
      missingLeft: i32(2),
      left: i32(3),
      right: i32(4),
      value: new Float64Array(u8.buffer, at + align8(5 * 4 * m), m)
    };
  }

  /**
   * The validation loss once this iteration's `trees` (none: the baseline) are added to the
   * validation rows' raw predictions: each row's loss computed in shares, then summed in row
   * order here, so the number is the same for any thread count.
   */
  validationLoss(trees: HgbTree[] | null, loss: HgbLoss): number {
    const {nVal, maxTreeNodes} = this.dims;
    // Helpers read a copy of the trees, so only trees of bounded size are shared out.
    const team = trees && maxTreeNodes > 0 && this.team?.worthIt(nVal) ? this.team : undefined;
    if (team)
      trees!.forEach((tree, k) => {
        const copy = this.copiedTree(k);
        for (const field of ["feature", "binThreshold", "missingLeft", "left", "right", "value"] as const)
          copy[field].set(tree[field]);
      });
    this.currentTrees = trees ?? undefined;
    const task: HgbTask = {type: "score", trees: trees !== null};
    if (team) team.run(task, (i, n) => this.share(task, i, n, loss));
    else this.share(task, 0, 1, loss);
    this.currentTrees = undefined;
    const terms = this.lossTerms;
    let s = 0;
    for (let i = 0; i < nVal; ++i) s += terms[i];
    return s / nVal;
  }

  /** Targets of the training rows. */
  get y(): Float64Array {
    return this.view().f64.subarray(this.yPtr / 8, this.yPtr / 8 + this.nRows);
  }
  get partition(): Uint32Array {
    return this.view().u32.subarray(this.partitionPtr / 4, this.partitionPtr / 4 + this.nRows);
  }
  /** All of memory as float64, for reading histograms at {@link histOffset}. */
  get f64(): Float64Array {
    return this.view().f64;
  }

  /** A histogram from the pool, as a slot number. */
  takeHist(): number {
    const free = this.freeHists.pop();
    if (free !== undefined) return free;
    if (this.histNext === this.histCapacity) {
      const extra = this.histCapacity;
      this.memory.grow(Math.ceil((extra * this.histBytes) / PAGE));
      this.histCapacity += extra;
    }
    return this.histNext++;
  }
  releaseHist(slot: number): void {
    this.freeHists.push(slot);
  }
  histPtr(slot: number): number {
    return this.histBase + slot * this.histBytes;
  }
  /** Index of the histogram's first float64 in {@link f64}. */
  histOffset(slot: number): number {
    return this.histPtr(slot) / 8;
  }

  /** The loss gradients and hessians of every output at the current raw predictions. */
  computeGradients(loss: HgbLoss): void {
    this.run({type: "gradients"}, loss);
  }

  /** Fills histogram `slot` from the rows `partition[start..stop)` of gradients k. */
  buildHistogram(k: number, start: number, stop: number, slot: number): void {
    // Below the root, each thread first gathers its rows' gradients in partition order.
    if (stop - start !== this.nRows) this.run({type: "gather", k, start, stop});
    this.run({type: "hist", k, start, stop, slot});
  }

  /** Splits `partition[start..stop)` on feature j; returns where the right child's rows start. */
  partitionRows(feature: number, start: number, stop: number, binIdx: number, missingLeft: boolean): number {
    const task: HgbTask = {type: "partition", feature, start, stop, binIdx, missingLeft};
    const team = this.team;
    if (!team || !team.worthIt(stop - start)) {
      this.share(task, 0, 1);
      return this.splitAt[0];
    }
    // Each share partitioned its range in place, its lefts then its rights. The lefts of every
    // share, in share order, then the rights, is what one stable partition gives: the rights are
    // staged in the buffer while the lefts close up, then follow them (memory.copy throughout;
    // copyWithin on a shared buffer goes element by element).
    team.run(task, (i, n) => this.share(task, i, n));
    const K = this.kernels;
    const n = team.size;
    let left = start;
    let staged = 0;
    for (let i = 0; i < n; ++i) {
      const [from, to] = shareOf(start, stop, i, n);
      const split = this.splitAt[i];
      K.copy(this.bufferPtr + 4 * staged, this.partitionPtr + 4 * split, 4 * (to - split));
      staged += to - split;
      K.copy(this.partitionPtr + 4 * left, this.partitionPtr + 4 * from, 4 * (split - from));
      left += split - from;
    }
    K.copy(this.partitionPtr + 4 * left, this.bufferPtr, 4 * staged);
    return left;
  }

  /** Runs a task over the team's threads when it has helpers and the task is big enough. */
  private run(task: Extract<HgbTask, {type: "gradients" | "gather" | "hist"}>, loss?: HgbLoss): void {
    const team = this.team;
    const rows = task.type === "gradients" ? this.nRows : task.stop - task.start;
    if (team && team.worthIt(rows)) team.run(task, (i, n) => this.share(task, i, n, loss));
    else this.share(task, 0, 1, loss);
  }

  /**
   * Does share `i` of `n` of a task, in whichever thread calls it (helpers over the same memory
   * call this too).
   */
  share(task: HgbTask, i: number, n: number, loss?: HgbLoss): void {
    const K = this.kernels;
    switch (task.type) {
      case "gradients": {
        const [from, to] = shareOf(0, this.nRows, i, n);
        const outputs = this.rawPtr.map((_, k) => k);
        loss!.gradients(
          this.y.subarray(from, to),
          outputs.map((k) => this.raw(k).subarray(from, to)),
          outputs.map((k) => this.gradients(k).subarray(from, to)),
          outputs.map((k) => this.hessians(k).subarray(from, this.hPtr[k] ? to : from))
        );
        return;
      }
      case "gather": {
        const [from, to] = shareOf(task.start, task.stop, i, n);
        const idx = this.partitionPtr + 4 * from;
        const at = 4 * (from - task.start);
        K.gather(idx, to - from, this.gPtr[task.k], this.ogPtr + at);
        if (this.hPtr[task.k]) K.gather(idx, to - from, this.hPtr[task.k], this.ohPtr + at);
        return;
      }
      case "hist": {
        const {k, start, stop, slot} = task;
        const [from, to] = shareOf(0, this.nFeatures, i, n);
        const hist = this.histPtr(slot);
        const off = this.histOffset(slot);
        this.f64.fill(0, off + (from * FEATURE_BYTES) / 8, off + (to * FEATURE_BYTES) / 8);
        const count = stop - start;
        const hessian = this.hPtr[k] !== 0;
        const contiguous = count === this.nRows;
        // The root reads every row in order; other nodes their rows, gradients gathered.
        const g = contiguous ? this.gPtr[k] : this.ogPtr;
        const h = contiguous ? this.hPtr[k] : this.ohPtr;
        const idx = this.partitionPtr + 4 * start;
        const {stride, binsPtr} = this;
        for (const {first, group} of histPasses(from, to)) {
          const col = binsPtr + first * stride;
          const out = hist + first * FEATURE_BYTES;
          if (contiguous)
            K[`histContiguous${hessian ? "" : "NoHessian"}${group}` as const](col, stride, count, g, h, out);
          else
            K[`histIndexed${hessian ? "" : "NoHessian"}${group}` as const](
              col,
              stride,
              idx,
              count,
              g,
              h,
              out
            );
        }
        return;
      }
      case "score": {
        const [from, to] = shareOf(0, this.dims.nVal, i, n);
        const outputs = this.rawValPtr.length;
        const raw = Array.from({length: outputs}, (_, k) => this.rawVal(k));
        if (task.trees) {
          const bins = Array.from({length: this.nFeatures}, (_, j) => this.valColumn(j));
          for (let k = 0; k < outputs; ++k)
            addTreePredictionBinned(this.currentTrees?.[k] ?? this.copiedTree(k), bins, raw[k], from, to);
        }
        loss!.rowLosses(this.yVal, raw, from, to, this.lossTerms.subarray(from, to));
        return;
      }
      case "partition": {
        const [from, to] = shareOf(task.start, task.stop, i, n);
        // Each share stages its right rows in its own part of the buffer.
        this.splitAt[i] = K.partition(
          this.binsPtr + task.feature * this.stride,
          this.partitionPtr,
          from,
          to,
          task.binIdx,
          task.missingLeft ? 1 : 0,
          this.bufferPtr + 4 * (from - task.start)
        );
        return;
      }
    }
  }

  /** Adds a leaf's value to the raw predictions k of its rows `partition[start..stop)`. */
  addToRows(k: number, start: number, stop: number, value: number): void {
    this.kernels.addToRows(this.partitionPtr + 4 * start, stop - start, this.rawPtr[k], value);
  }

  /** The subtraction trick: histogram `parent` becomes the larger child's. */
  subtractHistogram(parent: number, smallerChild: number): void {
    this.kernels.subtract(this.histPtr(parent), this.histPtr(smallerChild), this.histBytes / 8);
  }
}
