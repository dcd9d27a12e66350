import type {Features} from "../types.ts";
import type {Rng} from "../rng.ts";

/** The bin every missing value (NaN) falls in, whatever the feature: always the last of 256. */
export const MISSING_BIN = 255;

/** sklearn's ALMOST_INF: real thresholds stay finite so that +Infinity can mean "split on NaN". */
const ALMOST_INF = 1e300;

/**
 * Per-feature bin edges learned from quantiles, as sklearn's `_BinMapper`: value x goes to bin i
 * iff `thresholds[i - 1] < x <= thresholds[i]`, and NaN goes to {@link MISSING_BIN}.
 */
export interface BinMapper {
  readonly thresholds: Float64Array[];
  /** Bins used by non-missing values, per feature: `thresholds[j].length + 1`. */
  readonly nBinsNonMissing: Int32Array;
}

export interface BinMapperOptions {
  /** Bins for non-missing values, at most 255 (sklearn's `max_bins`). */
  maxBins: number;
  /** Rows drawn (with replacement, as sklearn) to find the quantiles; sklearn uses 200,000. */
  subsample: number;
  rng: Rng;
}

/** Learns the bins from the rows `rows` of X (all rows when omitted). */
export function fitBinMapper(
  X: Features,
  {maxBins, subsample, rng}: BinMapperOptions,
  rows?: Uint32Array
): BinMapper {
  const n = rows ? rows.length : X.rows;
  if (n > subsample) {
    const drawn = new Uint32Array(subsample);
    for (let i = 0; i < subsample; ++i) {
      const r = rng.int(n);
      drawn[i] = rows ? rows[r] : r;
    }
    rows = drawn;
  }
  const thresholds = X.cols.map((col) => findThresholds(col, rows, maxBins));
  return {thresholds, nBinsNonMissing: Int32Array.from(thresholds, (t) => t.length + 1)};
}

function findThresholds(col: Float64Array, rows: Uint32Array | undefined, maxBins: number): Float64Array {
  const n = rows ? rows.length : col.length;
  const values = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; ++i) {
    const v = rows ? col[rows[i]] : col[i];
    if (v === v) values[m++] = v;
  }
  const sorted = values.subarray(0, m).sort();
  // Count distinct values only up to maxBins + 1: past that the quantile path ignores them.
  let nDistinct = 0;
  for (let i = 0; i < m && nDistinct <= maxBins; ++i) if (i === 0 || sorted[i] !== sorted[i - 1]) ++nDistinct;
  if (nDistinct <= 1) return new Float64Array(0);
  let edges: number[] = [];
  if (nDistinct <= maxBins) {
    let previous = sorted[0];
    for (let i = 1; i < m; ++i) {
      if (sorted[i] === previous) continue;
      edges.push((previous + sorted[i]) / 2);
      previous = sorted[i];
    }
  } else {
    // numpy.percentile(method="averaged_inverted_cdf") at linspace(0, 100, maxBins + 1)[1:-1],
    // with numpy's own float steps so that ties at exact ranks resolve the same way.
    const step = 100 / maxBins;
    for (let k = 1; k < maxBins; ++k) {
      const virtual = m * ((k * step) / 100) - 1;
      const lo = Math.floor(virtual);
      const below = sorted[Math.min(Math.max(lo, 0), m - 1)];
      const above = sorted[Math.min(Math.max(lo + 1, 0), m - 1)];
      edges.push(virtual === lo ? (below + above) / 2 : above);
    }
    edges = edges.filter((e, i) => i === 0 || e !== edges[i - 1]);
  }
  return Float64Array.from(edges, (e) => Math.min(e, ALMOST_INF));
}

/** Bins the rows `rows` of X (all rows when omitted): one new Uint8Array per column. */
export function binFeatures(X: Features, mapper: BinMapper, rows?: Uint32Array): Uint8Array[] {
  return X.cols.map((col, j) => {
    const out = new Uint8Array(rows ? rows.length : X.rows);
    binColumn(col, mapper.thresholds[j], out, rows);
    return out;
  });
}

/**
 * Writes the bin of `col[rows[i]]` (or `col[i]`) to `out[i]`: the number of thresholds below the
 * value, as sklearn's binary search. The search is branch-free over the thresholds padded with
 * +Infinity to 255 (eight fixed halvings), which runs ~4× faster than a branching search on
 * random data; real thresholds are finite (clipped to 1e300), so padding is never below a value.
 */
export function binColumn(
  col: Float64Array,
  thresholds: Float64Array,
  out: Uint8Array,
  rows?: Uint32Array
): void {
  const p = new Float64Array(255).fill(Infinity);
  p.set(thresholds);
  for (let i = 0; i < out.length; ++i) {
    const v = rows ? col[rows[i]] : col[i];
    let pos = +(p[127] < v) << 7;
    pos += +(p[pos + 63] < v) << 6;
    pos += +(p[pos + 31] < v) << 5;
    pos += +(p[pos + 15] < v) << 4;
    pos += +(p[pos + 7] < v) << 3;
    pos += +(p[pos + 3] < v) << 2;
    pos += +(p[pos + 1] < v) << 1;
    pos += +(p[pos] < v);
    out[i] = v === v ? pos : MISSING_BIN;
  }
}
