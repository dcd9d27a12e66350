import {z} from "zod";
import {DataError} from "../../errors.ts";
import {compareStrings} from "./compareStrings.ts";
import {parseParams} from "./parseParams.ts";

export const oneHotParams = z.strictObject({
  /**
   * What an unseen category becomes at apply time: "ignore" (default here; sklearn's is "error")
   * gives an all-zero row, "infrequent_if_exist" maps it to the infrequent column when there is one.
   */
  handle_unknown: z.enum(["ignore", "infrequent_if_exist", "error"]).default("ignore"),
  /** At most this many output columns, the infrequent column included (default none, as sklearn). */
  max_categories: z.int().min(1).nullable().default(null),
  /** Categories seen fewer times than this (a count ≥ 1, or a fraction of rows < 1) are infrequent. */
  min_frequency: z.number().positive().nullable().default(null)
});
export type OneHotParams = z.input<typeof oneHotParams>;

/**
 * Frequent categories in output order, then (when any) the pooled infrequent ones, which share one
 * last column. A null (missing) value is a category of its own, sorted last as sklearn sorts NaN;
 * the column transformer imputes before encoding, so there it never reaches the encoder.
 */
export interface OneHotState {
  categories: (string | null)[];
  infrequent: (string | null)[];
  handle_unknown: "ignore" | "infrequent_if_exist" | "error";
}

/** The name of the pooled column: `col=infrequent_sklearn`, as sklearn's get_feature_names_out. */
export const INFREQUENT = "infrequent_sklearn";

export function fitOneHot(values: readonly (string | null)[], raw?: OneHotParams): OneHotState {
  const {handle_unknown, max_categories, min_frequency} = parseParams(oneHotParams, raw, "onehot");
  const counts = new Map<string | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts.keys()].sort(compareStrings);
  const count = sorted.map((c) => counts.get(c) ?? 0);
  const rare = infrequentMask(count, values.length, max_categories, min_frequency);
  return {
    categories: sorted.filter((_, i) => !rare[i]),
    infrequent: sorted.filter((_, i) => rare[i]),
    handle_unknown
  };
}

/** sklearn's OneHotEncoder._identify_infrequent, over counts in sorted category order. */
function infrequentMask(
  count: number[],
  rows: number,
  maxCategories: number | null,
  minFrequency: number | null
): boolean[] {
  const threshold = minFrequency === null ? 0 : minFrequency >= 1 ? minFrequency : minFrequency * rows;
  const mask = count.map((c) => c < threshold);
  const nFeatures = count.length - mask.filter(Boolean).length + 1;
  if (maxCategories !== null && maxCategories < nFeatures) {
    const keep = maxCategories - 1;
    // Stable sort by count: among equal counts the categories that sort first become infrequent.
    const order = count.map((_, i) => i).sort((a, b) => count[a] - count[b] || a - b);
    for (let k = 0; k < order.length - keep; ++k) mask[order[k]] = true;
  }
  return mask;
}

export function oneHotFeatureNames(state: OneHotState, column: string): string[] {
  const names = state.categories.map((c) => `${column}=${c ?? "null"}`);
  if (state.infrequent.length) names.push(`${column}=${INFREQUENT}`);
  return names;
}

export function applyOneHot(state: OneHotState, values: readonly (string | null)[]): Float64Array[] {
  const index = new Map<string | null, number>();
  state.categories.forEach((c, k) => index.set(c, k));
  const pooled = state.infrequent.length ? state.categories.length : -1;
  for (const c of state.infrequent) index.set(c, pooled);
  const unknownTo = state.handle_unknown === "infrequent_if_exist" ? pooled : -1;
  const cols = Array.from({length: state.categories.length + (pooled >= 0 ? 1 : 0)}, () => {
    return new Float64Array(values.length);
  });
  for (let i = 0; i < values.length; ++i) {
    let k = index.get(values[i]);
    if (k === undefined) {
      if (state.handle_unknown === "error") {
        throw new DataError(`onehot: unknown category ${JSON.stringify(values[i])} at row ${i}`);
      }
      k = unknownTo;
    }
    if (k >= 0) cols[k][i] = 1;
  }
  return cols;
}
