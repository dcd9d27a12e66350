import {z} from "zod";
import {ConfigError} from "../../errors.ts";
import {compareStrings} from "./compareStrings.ts";
import {parseParams} from "./parseParams.ts";

export const imputeParams = z.strictObject({
  /** How to fill a missing value (default "mean", as sklearn's SimpleImputer); mean and median need numbers. */
  strategy: z.enum(["mean", "median", "most_frequent", "constant"]).default("mean"),
  /** The fill for strategy "constant"; default 0 for numbers and "missing_value" for strings, as sklearn. */
  fill_value: z.union([z.number(), z.string()]).optional()
});
export type ImputeParams = z.input<typeof imputeParams>;

/**
 * The fitted fill value. A numeric column with no observed value fills with 0 (sklearn's
 * keep_empty_features=True) so the output keeps its shape; a text column with none keeps its nulls.
 */
export type ImputeState = NumericImputeState | CategoricalImputeState;
export type NumericImputeState = {kind: "numeric"; fill: number};
export type CategoricalImputeState = {kind: "categorical"; fill: string | null};

export function fitImpute(values: Float64Array, params?: ImputeParams): NumericImputeState;
export function fitImpute(values: readonly (string | null)[], params?: ImputeParams): CategoricalImputeState;
export function fitImpute(
  values: Float64Array | readonly (string | null)[],
  params?: ImputeParams
): ImputeState;
export function fitImpute(
  values: Float64Array | readonly (string | null)[],
  raw?: ImputeParams
): ImputeState {
  const {strategy, fill_value} = parseParams(imputeParams, raw, "impute");
  if (values instanceof Float64Array) {
    if (strategy === "constant") {
      if (typeof fill_value === "string") {
        throw new ConfigError(`invalid impute.fill_value: ${JSON.stringify(fill_value)} (expected a number)`);
      }
      return {kind: "numeric", fill: fill_value ?? 0};
    }
    const observed = values.filter((v) => !Number.isNaN(v));
    if (!observed.length) return {kind: "numeric", fill: 0};
    const fill =
      strategy === "mean" ? mean(observed) : strategy === "median" ? median(observed) : mode(observed);
    return {kind: "numeric", fill};
  }
  if (strategy === "constant") {
    if (typeof fill_value === "number") {
      throw new ConfigError(`invalid impute.fill_value: ${fill_value} (expected a string)`);
    }
    return {kind: "categorical", fill: fill_value ?? "missing_value"};
  }
  if (strategy !== "most_frequent") {
    throw new ConfigError(
      `invalid impute.strategy: "${strategy}" (expected "most_frequent" or "constant" for text)`
    );
  }
  return {kind: "categorical", fill: stringMode(values)};
}

export function applyImpute(state: NumericImputeState, values: Float64Array): Float64Array;
export function applyImpute(
  state: CategoricalImputeState,
  values: readonly (string | null)[]
): (string | null)[];
export function applyImpute(
  state: ImputeState,
  values: Float64Array | readonly (string | null)[]
): Float64Array | (string | null)[];
export function applyImpute(
  state: ImputeState,
  values: Float64Array | readonly (string | null)[]
): Float64Array | (string | null)[] {
  if (state.kind === "numeric") {
    if (!(values instanceof Float64Array)) throw new TypeError("numeric imputer applied to a text column");
    const fill = state.fill;
    return values.map((v) => (Number.isNaN(v) ? fill : v));
  }
  if (values instanceof Float64Array) throw new TypeError("text imputer applied to a numeric column");
  const fill = state.fill;
  return values.map((v) => (v === null ? fill : v));
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; ++i) sum += values[i];
  return sum / values.length;
}

/** Average of the two middle values for an even count, as numpy's median. */
function median(values: Float64Array): number {
  const sorted = values.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The most frequent value; ties go to the smallest, as sklearn's (scipy.stats.mode). */
function mode(values: Float64Array): number {
  const sorted = values.slice().sort();
  let best = sorted[0];
  let bestCount = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) ++j;
    if (j - i > bestCount) {
      best = sorted[i];
      bestCount = j - i;
    }
    i = j;
  }
  return best;
}

/** The most frequent string; ties go to the smallest by code point, as sklearn's `min` over ties. */
function stringMode(values: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && compareStrings(value, best) < 0)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
