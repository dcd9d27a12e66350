import {z} from "zod";
import {compareStrings} from "./compareStrings.ts";
import {parseParams} from "./parseParams.ts";

export const ordinalParams = z.strictObject({
  /**
   * Code for a category not seen in fit (default -1, sklearn's handle_unknown="use_encoded_value"
   * with unknown_value=-1); null gives NaN, which JSON cannot hold as a number.
   */
  unknown_value: z.number().nullable().default(-1),
  /** Code for a missing value (default null = NaN, as sklearn's encoded_missing_value). */
  encoded_missing_value: z.number().nullable().default(null)
});
export type OrdinalParams = z.input<typeof ordinalParams>;

/** Categories in code order (sorted by code point, as sklearn); missing values are never a category. */
export interface OrdinalState {
  categories: string[];
  unknown_value: number | null;
  encoded_missing_value: number | null;
}

export function fitOrdinal(values: readonly (string | null)[], raw?: OrdinalParams): OrdinalState {
  const {unknown_value, encoded_missing_value} = parseParams(ordinalParams, raw, "ordinal");
  const seen = new Set<string>();
  for (const v of values) if (v !== null) seen.add(v);
  return {categories: [...seen].sort(compareStrings), unknown_value, encoded_missing_value};
}

export function applyOrdinal(state: OrdinalState, values: readonly (string | null)[]): Float64Array {
  const index = new Map<string, number>();
  state.categories.forEach((c, k) => index.set(c, k));
  const unknown = state.unknown_value ?? NaN;
  const missing = state.encoded_missing_value ?? NaN;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    out[i] = v === null ? missing : (index.get(v) ?? unknown);
  }
  return out;
}
