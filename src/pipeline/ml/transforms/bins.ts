import {z} from "zod";
import {parseParams} from "./parseParams.ts";
import {sortedPresent} from "../stats/sortedPresent.ts";

export const binsParams = z.strictObject({
  /** Number of bins (default 5, as sklearn's KBinsDiscretizer). */
  n_bins: z.int().min(2).default(5),
  /**
   * "quantile" (default) puts equal counts in each bin; "uniform" gives equal widths; "kmeans"
   * cuts halfway between the centres of a 1-D k-means started from the uniform bins' middles.
   */
  strategy: z.enum(["quantile", "uniform", "kmeans"]).default("quantile"),
  /** numpy percentile method for "quantile" (default "averaged_inverted_cdf", sklearn ≥ 1.9's default). */
  quantile_method: z
    .enum(["averaged_inverted_cdf", "inverted_cdf", "linear"])
    .default("averaged_inverted_cdf")
});
export type BinsParams = z.input<typeof binsParams>;

/**
 * Bin edges, first = min and last = max of the fitted values. A constant column keeps the two equal
 * edges [c, c] and bins everything to 0 (sklearn stores [-inf, inf], which JSON cannot hold).
 */
export interface BinsState {
  edges: number[];
}

export function fitBins(values: Float64Array, raw?: BinsParams): BinsState {
  const {n_bins, strategy, quantile_method} = parseParams(binsParams, raw, "bins");
  const sorted = sortedPresent(values);
  if (!sorted.length) return {edges: [0, 0]};
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === max) return {edges: [min, max]};
  // np.linspace: i * step + start, with the last point pinned to stop.
  const levels = (start: number, stop: number): number[] => {
    const step = (stop - start) / n_bins;
    return Array.from({length: n_bins + 1}, (_, i) => (i === n_bins ? stop : i * step + start));
  };
  if (strategy === "uniform") return {edges: levels(min, max)};
  let cuts: number[];
  if (strategy === "kmeans") {
    const uniform = levels(min, max);
    const init = uniform.slice(1).map((e, i) => (e + uniform[i]) * 0.5);
    const centers = kmeans1d(sorted, init).sort((a, b) => a - b);
    cuts = [min, ...centers.slice(1).map((c, i) => (c + centers[i]) * 0.5), max];
  } else cuts = levels(0, 100).map((p) => percentile(sorted, p / 100, quantile_method));
  // Drop bins narrower than 1e-8, as sklearn does for repeated quantiles (and merged centres).
  const edges = cuts.filter((e, i) => i === 0 || e - cuts[i - 1] > 1e-8);
  return {edges};
}

/** Ordinal bin index: the number of inner edges ≤ x (numpy searchsorted side="right"); NaN stays NaN. */
export function applyBins(state: BinsState, values: Float64Array): Float64Array {
  const inner = state.edges.slice(1, -1);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; ++i) {
    const x = values[i];
    if (Number.isNaN(x)) {
      out[i] = NaN;
      continue;
    }
    let lo = 0;
    let hi = inner.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inner[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/** numpy's percentile on sorted data, for the three methods, with numpy's index and gamma rules. */
function percentile(
  sorted: Float64Array,
  q: number,
  method: "averaged_inverted_cdf" | "inverted_cdf" | "linear"
) {
  const n = sorted.length;
  const virtual = method === "linear" ? (n - 1) * q : n * q - 1;
  let prev: number;
  let next: number;
  if (virtual >= n - 1) prev = next = n - 1;
  else if (virtual < 0) prev = next = 0;
  else {
    prev = Math.floor(virtual);
    next = prev + 1;
  }
  let gamma = virtual - Math.floor(virtual);
  if (method === "averaged_inverted_cdf") gamma = gamma === 0 ? 0.5 : 1;
  else if (method === "inverted_cdf") gamma = gamma > 0 ? 1 : 0;
  return lerp(sorted[prev], sorted[next], gamma);
}

/** numpy's _lerp: computed from the nearer end so that t = 1 gives b exactly. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * sklearn's KMeans (Lloyd, n_init=1, max_iter=300, tol=1e-4) on one sorted column from the given
 * centres: data centred on its mean first, as sklearn does; stops when no label changes, or when
 * the centres move by at most tol × the column's variance (squared, summed). An empty cluster
 * takes the point farthest from its centre, as sklearn relocates them.
 */
function kmeans1d(sorted: Float64Array, init: readonly number[]): number[] {
  const n = sorted.length;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= n;
  const x = sorted.map((v) => v - mean);
  let variance = 0;
  for (const v of x) variance += v * v;
  variance /= n;
  const tol = 1e-4 * variance;
  const k = init.length;
  let centers = init.map((c) => c - mean);
  let labels = new Int32Array(n).fill(-1);
  let old = new Int32Array(n).fill(-1);
  const assign = (c: readonly number[], out: Int32Array) => {
    for (let i = 0; i < n; ++i) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; ++j) {
        // sklearn's distance up to ‖x‖²: ‖c‖² − 2·x·c (equally far points go as it sends them).
        const d = c[j] * c[j] - 2 * x[i] * c[j];
        if (d < bestD) [best, bestD] = [j, d];
      }
      out[i] = best;
    }
  };
  for (let iter = 0; iter < 300; ++iter) {
    assign(centers, labels);
    const sums = new Float64Array(k);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; ++i) {
      sums[labels[i]] += x[i];
      counts[labels[i]] += 1;
    }
    const next = Array.from(sums, (sum, j) => (counts[j] > 0 ? sum / counts[j] : centers[j]));
    const empty = [...counts.keys()].filter((j) => counts[j] === 0);
    if (empty.length) {
      // The points farthest from their centres, farthest first, each to an empty cluster.
      const far = [...x.keys()].sort(
        (a, b) => (x[b] - centers[labels[b]]) ** 2 - (x[a] - centers[labels[a]]) ** 2 || a - b
      );
      empty.forEach((j, e) => {
        const i = far[e];
        const from = labels[i];
        next[from] = counts[from] > 1 ? (next[from] * counts[from] - x[i]) / (counts[from] - 1) : next[from];
        counts[from] -= 1;
        next[j] = x[i];
        counts[j] = 1;
      });
    }
    let shift = 0;
    for (let j = 0; j < k; ++j) shift += (next[j] - centers[j]) ** 2;
    centers = next;
    if (labels.every((l, i) => l === old[i])) break;
    if (shift <= tol) break;
    [old, labels] = [labels, old];
  }
  return centers.map((c) => c + mean);
}
