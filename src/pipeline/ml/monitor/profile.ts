import {z} from "zod";
import {compareStrings} from "../transforms/compareStrings.ts";
import {sortedPresent} from "../stats/sortedPresent.ts";

/**
 * What a model keeps of its training rows to tell, later, whether new rows look like them: one
 * profile per column the model reads, and one of its own predictions. Kept in the bundle (plain
 * data, a few kB a column), so a deployed model is monitored without the training data.
 */
export interface MonitorReference {
  /** Training rows profiled. */
  rows: number;
  columns: ColumnProfile[];
  /** The model's predictions on (up to PREDICTION_ROWS of) its training rows. */
  prediction: ColumnProfile;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

export interface NumericProfile {
  name: string;
  kind: "numeric";
  rows: number;
  /** Rows where the value is missing (NULL or NaN). */
  missing: number;
  /**
   * The present values, sorted: every one when there are at most SAMPLE_SIZE (a KS test on them is
   * exact, as scipy's), else SAMPLE_SIZE evenly spaced order statistics (min and max included).
   */
  values: number[];
  /** Whether `values` are all the present values, or quantiles of them. */
  exact: boolean;
  /** PSI bins: upper edges of all bins but the last (deciles, duplicates dropped); `x <= edge`. */
  edges: number[];
  /** Share of the present values in each bin (edges.length + 1 of them). */
  shares: number[];
}

export interface CategoricalProfile {
  name: string;
  kind: "categorical";
  rows: number;
  missing: number;
  /** Count per category, the MAX_CATEGORIES commonest; [value, count], in value order. */
  counts: [string, number][];
  /** Present values of categories beyond MAX_CATEGORIES (then "unseen" cannot be told from them). */
  other: number;
}

export const SAMPLE_SIZE = 1001;
export const MAX_CATEGORIES = 1000;
export const PSI_BINS = 10;
/** Training rows whose predictions are profiled (evenly spaced): bounds the cost of a slow model. */
export const PREDICTION_ROWS = 10_000;

/** Profiles a numeric column; NaN is missing. */
export function numericProfile(name: string, column: Float64Array): NumericProfile {
  const present = sortedPresent(column);
  const n = present.length;
  const exact = n <= SAMPLE_SIZE;
  const values = exact
    ? Array.from(present)
    : Array.from({length: SAMPLE_SIZE}, (_, i) => present[Math.round((i * (n - 1)) / (SAMPLE_SIZE - 1))]);
  const edges: number[] = [];
  for (let k = 1; k < PSI_BINS && n; ++k) {
    const edge = present[Math.min(n - 1, Math.ceil((k * n) / PSI_BINS) - 1)];
    if (edge !== edges.at(-1) && edge !== present[n - 1]) edges.push(edge);
  }
  const shares = binCounts(present, edges).map((c) => (n ? c / n : 0));
  return {
    name,
    kind: "numeric",
    rows: column.length,
    missing: column.length - n,
    values,
    exact,
    edges,
    shares
  };
}

/** Profiles a categorical column; null is missing. */
export function categoricalProfile(name: string, column: readonly (string | null)[]): CategoricalProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of column) {
    if (v === null) ++missing;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const kept = [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0])).slice(0, MAX_CATEGORIES);
  const other = column.length - missing - kept.reduce((s, [, c]) => s + c, 0);
  kept.sort((a, b) => compareStrings(a[0], b[0]));
  return {name, kind: "categorical", rows: column.length, missing, counts: kept, other};
}

/** How many of the sorted `values` fall in each bin: `<= edges[0]`, …, `> edges.at(-1)`. */
export function binCounts(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const out: number[] = [];
  let start = 0;
  for (const edge of edges) {
    const end = upperBound(sorted, edge, start);
    out.push(end - start);
    start = end;
  }
  out.push(sorted.length - start);
  return out;
}

/** The first index at or after `from` whose value is greater than `x` (values sorted). */
export function upperBound(sorted: ArrayLike<number>, x: number, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const count = z.number().int().min(0);
const profileSchema = z.discriminatedUnion("kind", [
  z.object({
    name: z.string(),
    kind: z.literal("numeric"),
    rows: count,
    missing: count,
    values: z.array(z.number()).max(SAMPLE_SIZE),
    exact: z.boolean(),
    edges: z.array(z.number()).max(PSI_BINS),
    shares: z.array(z.number().min(0).max(1))
  }),
  z.object({
    name: z.string(),
    kind: z.literal("categorical"),
    rows: count,
    missing: count,
    counts: z.array(z.tuple([z.string(), count])).max(MAX_CATEGORIES),
    other: count
  })
]);

/** A bundle's reference as read from a file: checked before anything is compared with it. */
export const monitorReferenceSchema = z
  .object({
    rows: count,
    columns: z.array(profileSchema),
    prediction: profileSchema
  })
  .refine(
    (r) =>
      [...r.columns, r.prediction].every(
        (c) => c.kind !== "numeric" || c.shares.length === c.edges.length + 1
      ),
    {message: "a numeric profile needs one share more than edges"}
  ) satisfies z.ZodType<MonitorReference>;
