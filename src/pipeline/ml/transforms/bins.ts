import {z} from "zod";
import {parseParams} from "./parseParams.ts";

export const binsParams = z.strictObject({
  /** Number of bins (default 5, as sklearn's KBinsDiscretizer). */
  n_bins: z.int().min(2).default(5),
  /** "quantile" (default) puts equal counts in each bin; "uniform" gives equal widths. */
  strategy: z.enum(["quantile", "uniform"]).default("quantile"),
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
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
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
  const quantiles = levels(0, 100).map((p) => percentile(sorted, p / 100, quantile_method));
  // Drop bins narrower than 1e-8, as sklearn does for repeated quantiles.
  const edges = quantiles.filter((e, i) => i === 0 || e - quantiles[i - 1] > 1e-8);
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
