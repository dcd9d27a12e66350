import {BIN_BYTES, createHgbKernels, FEATURE_BYTES} from "./hgbKernels.ts";
import type {HgbKernels, HistContiguous, HistIndexed} from "./hgbKernels.ts";

/** Float64s per histogram bin (sum of gradients, sum of hessians, count) and per feature. */
export const BIN_STRIDE = 3;
export const FEATURE_STRIDE = 256 * BIN_STRIDE;

const PAGE = 65536;
const align8 = (bytes: number) => Math.ceil(bytes / 8) * 8;

/**
 * One fit's memory, laid out once in a WebAssembly memory so the wasm kernels and JS share it
 * without copies: binned training columns (a Uint8Array view per column), float64 raw
 * predictions and float32 gradients and hessians per output, the row partition (each tree node owns a range of it) and its split
 * buffer, gathered gradients, and a pool of histograms reused across nodes and trees.
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
  private readonly memory: WebAssembly.Memory;
  private readonly histBase: number;
  private histCapacity: number;
  private histNext = 0;
  private readonly freeHists: number[] = [];
  private buffer: ArrayBuffer | undefined;
  private views!: {u8: Uint8Array; u32: Uint32Array; f32: Float32Array; f64: Float64Array};

  constructor(
    readonly nRows: number,
    readonly nFeatures: number,
    nOutputs: number,
    readonly constantHessian: boolean,
    histCapacity: number
  ) {
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
    this.partitionPtr = take(4 * nRows);
    this.bufferPtr = take(4 * nRows);
    this.ogPtr = take(4 * nRows);
    this.ohPtr = take(4 * nRows);
    this.nBinsNonMissingPtr = take(4 * nFeatures);
    this.hasMissingPtr = take(nFeatures);
    this.splitOutPtr = take(7 * 8);
    this.histBytes = nFeatures * 256 * BIN_BYTES;
    this.histBase = top;
    this.histCapacity = histCapacity;
    top += histCapacity * this.histBytes;
    this.memory = new WebAssembly.Memory({initial: Math.ceil(top / PAGE)});
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

  /** Fills histogram `slot` from the rows `partition[start..stop)` of gradients k. */
  buildHistogram(k: number, start: number, stop: number, slot: number): void {
    const {kernels: K, nFeatures, stride, binsPtr} = this;
    const off = this.histOffset(slot);
    this.f64.fill(0, off, off + this.histBytes / 8);
    const hist = this.histPtr(slot);
    const count = stop - start;
    const hessian = this.hPtr[k] !== 0;
    let g = this.gPtr[k];
    let h = this.hPtr[k];
    let one: HistContiguous | HistIndexed, four: HistContiguous | HistIndexed;
    let idx = -1;
    if (count === this.nRows) {
      one = hessian ? K.histContiguous1 : K.histContiguousNoHessian1;
      four = hessian ? K.histContiguous4 : K.histContiguousNoHessian4;
    } else {
      idx = this.partitionPtr + 4 * start;
      K.gather(idx, count, g, this.ogPtr);
      if (hessian) K.gather(idx, count, h, this.ohPtr);
      g = this.ogPtr;
      h = this.ohPtr;
      one = hessian ? K.histIndexed1 : K.histIndexedNoHessian1;
      four = hessian ? K.histIndexed4 : K.histIndexedNoHessian4;
    }
    for (let j = 0; j < nFeatures;) {
      const kernel = j + 4 <= nFeatures ? four : one;
      const col = binsPtr + j * stride;
      const out = hist + j * FEATURE_BYTES;
      if (idx < 0) (kernel as HistContiguous)(col, stride, count, g, h, out);
      else (kernel as HistIndexed)(col, stride, idx, count, g, h, out);
      j += kernel === four ? 4 : 1;
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

  /** Splits `partition[start..stop)` on feature j; returns where the right child's rows start. */
  partitionRows(j: number, start: number, stop: number, binIdx: number, missingLeft: boolean): number {
    const col = this.binsPtr + j * this.stride;
    return this.kernels.partition(
      col,
      this.partitionPtr,
      start,
      stop,
      binIdx,
      missingLeft ? 1 : 0,
      this.bufferPtr
    );
  }
}
