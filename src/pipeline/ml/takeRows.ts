import type {Features} from "./types.ts";

/** The rows `idx` of X, in that order, as fresh columns (a fold's train or test set). */
export function takeRows(X: Features, idx: Int32Array): Features {
  checkIndices(idx, X.rows);
  return {rows: idx.length, cols: X.cols.map((c) => gather(new Float64Array(idx.length), c, idx))};
}

/** The entries `idx` of a target, keeping its array type (class indices stay Int32Array). */
export function takeValues(y: Int32Array, idx: Int32Array): Int32Array;
export function takeValues(y: Float64Array, idx: Int32Array): Float64Array;
export function takeValues(y: Int32Array | Float64Array, idx: Int32Array): Int32Array | Float64Array;
export function takeValues(y: Int32Array | Float64Array, idx: Int32Array): Int32Array | Float64Array {
  checkIndices(idx, y.length);
  const out = y instanceof Int32Array ? new Int32Array(idx.length) : new Float64Array(idx.length);
  return gather(out, y, idx);
}

function gather<T extends Int32Array | Float64Array>(out: T, from: ArrayLike<number>, idx: Int32Array): T {
  for (let i = 0; i < idx.length; ++i) out[i] = from[idx[i]];
  return out;
}

// A typed array read past its end yields undefined, which would turn into a silent NaN or 0.
function checkIndices(idx: Int32Array, n: number): void {
  for (let i = 0; i < idx.length; ++i) {
    if (idx[i] < 0 || idx[i] >= n) throw new Error(`invalid row index: ${idx[i]} (expected 0..${n - 1})`);
  }
}
