import {DataError} from "../../errors.ts";
import type {Features} from "../types.ts";

/**
 * Training features as the tree builder reads them: every column's rows sorted by value, computed
 * once so that no node ever sorts. Values compare as float32 (sklearn casts X to float32 before
 * growing trees, so thresholds and ties only match if we do too).
 *
 * Only the order is held here (4 bytes a row and feature); a tree copies its own rows' (row, value)
 * pairs from it and `cols`, rounding each value to float32 as it goes (see TreeWorkspace).
 */
export interface TreeData {
  readonly rows: number;
  readonly features: number;
  /** Feature j's rows in ascending float32 value order at `[j * rows, (j + 1) * rows)`; ties by row. */
  readonly order: Int32Array;
  /**
   * Each feature's values by row: the caller's columns, or float32 copies on SharedArrayBuffers
   * when worker threads read them (the caller's arrays cannot be shared without a copy).
   */
  readonly cols: readonly (Float64Array | Float32Array)[];
}

/** A pair array's row indices: pair q's row at `[2 * q]` (the low 32 bits of its double). */
export function rowsOf(items: Float64Array): Int32Array {
  return new Int32Array(items.buffer, items.byteOffset, items.length * 2);
}

/** A pair array's float32 values: pair q's value at `[2 * q + 1]` (the high 32 bits of its double). */
export function valuesOf(items: Float64Array): Float32Array {
  return new Float32Array(items.buffer, items.byteOffset, items.length * 2);
}

/**
 * Checks X (finite within float32 range) and presorts every column as float32. With `shared`,
 * the order and float32 copies of the columns live on SharedArrayBuffers so worker threads read
 * them without a copy each; without, the columns are X's own.
 */
export function prepareTreeData(X: Features, shared = false): TreeData {
  const rows = X.rows;
  const features = X.cols.length;
  if (features === 0) throw new DataError("invalid X: no feature columns (a tree needs at least one)");
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const order = new Int32Array(buffer(rows * features * 4));
  const cols: (Float64Array | Float32Array)[] = [];
  const keys = new RadixKeys(rows);
  let col32: Float32Array<ArrayBufferLike> = new Float32Array(rows);
  for (let j = 0; j < features; ++j) {
    const col = X.cols[j];
    if (col.length !== rows)
      throw new DataError(`invalid X: column ${j} has ${col.length} rows (expected ${rows})`);
    if (shared) col32 = new Float32Array(buffer(rows * 4));
    col32.set(col);
    for (let i = 0; i < rows; ++i) {
      const v = col32[i];
      if (v - v !== 0) {
        throw new DataError(
          `invalid X: ${col[i]} in feature ${j}, row ${i} (expected a finite number within float32 range; trees need complete data, impute first)`
        );
      }
    }
    keys.sort(col32, order.subarray(j * rows, (j + 1) * rows));
    cols.push(shared ? col32 : col);
  }
  return {rows, features, order, cols};
}

/**
 * LSD radix sort (3 passes of 11 bits) of a float32 column's order-preserving bit pattern: linear
 * time whatever the row count, and stable, so equal values keep row order.
 */
class RadixKeys {
  private keys: Uint32Array;
  private keysTmp: Uint32Array;
  private idx: Int32Array;
  private idxTmp: Int32Array;
  private readonly counts = new Int32Array(2048);
  constructor(private readonly rows: number) {
    this.keys = new Uint32Array(rows);
    this.keysTmp = new Uint32Array(rows);
    this.idx = new Int32Array(rows);
    this.idxTmp = new Int32Array(rows);
  }

  sort(col: Float32Array, out: Int32Array): void {
    const rows = this.rows;
    const bits = new Uint32Array(col.buffer, col.byteOffset, rows);
    let {keys, keysTmp, idx, idxTmp} = this;
    const counts = this.counts;
    for (let i = 0; i < rows; ++i) {
      const b = bits[i];
      // Flip negatives entirely and positives' sign bit so unsigned order equals numeric order.
      keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      idx[i] = i;
    }
    for (let shift = 0; shift < 32; shift += 11) {
      radixPass(keys, idx, keysTmp, idxTmp, counts, shift);
      [keys, keysTmp] = [keysTmp, keys];
      [idx, idxTmp] = [idxTmp, idx];
    }
    out.set(idx);
  }
}

/** One stable counting pass on 11 bits of the keys, from (keys, idx) into (keysOut, idxOut). */
function radixPass(
  keys: Uint32Array,
  idx: Int32Array,
  keysOut: Uint32Array,
  idxOut: Int32Array,
  counts: Int32Array,
  shift: number
): void {
  const rows = keys.length;
  counts.fill(0);
  for (let i = 0; i < rows; ++i) ++counts[(keys[i] >>> shift) & 2047];
  let sum = 0;
  for (let d = 0; d < 2048; ++d) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
  for (let i = 0; i < rows; ++i) {
    const k = keys[i];
    const at = counts[(k >>> shift) & 2047]++;
    keysOut[at] = k;
    idxOut[at] = idx[i];
  }
}
