import {z} from "zod";
import {ConfigError} from "../../errors.ts";
import {parseParams} from "./parseParams.ts";

export const scaleParams = z.strictObject({
  /** "standard" centres and divides by the population std; "minmax" maps [min, max] to feature_range. */
  method: z.enum(["standard", "minmax"]).default("standard"),
  /** Target range for "minmax" (default [0, 1], as sklearn's MinMaxScaler). */
  feature_range: z.tuple([z.number(), z.number()]).default([0, 1])
});
export type ScaleParams = z.input<typeof scaleParams>;

/** `applyScale` computes `x * scale + offset`, the exact float steps of sklearn's MinMaxScaler. */
export type ScaleState =
  | {method: "standard"; mean: number; scale: number}
  | {method: "minmax"; min: number; max: number; scale: number; offset: number};

const EPS = 2 ** -52;

/** Fits on the observed values only; NaN (missing) is ignored here and passed through by apply. */
export function fitScale(values: Float64Array, raw?: ScaleParams): ScaleState {
  const {method, feature_range} = parseParams(scaleParams, raw, "scale");
  const observed = values.filter((v) => !Number.isNaN(v));
  const n = observed.length;
  if (method === "standard") {
    if (!n) return {method, mean: 0, scale: 1};
    let sum = 0;
    for (let i = 0; i < n; ++i) sum += observed[i];
    const mean = sum / n;
    // sklearn's _incremental_mean_and_var: squared deviations, corrected by their (rounding) sum.
    let squares = 0;
    let correction = 0;
    for (let i = 0; i < n; ++i) {
      const d = observed[i] - mean;
      squares += d * d;
      correction += d;
    }
    const variance = (squares - (correction * correction) / n) / n;
    // A constant column (variance within rounding of 0) keeps scale 1, as sklearn's _is_constant_feature.
    const constant = variance <= n * EPS * variance + (n * mean * EPS) ** 2;
    const std = Math.sqrt(variance);
    return {method, mean, scale: constant || std < 10 * EPS ? 1 : std};
  }
  const [lo, hi] = feature_range;
  if (!(lo < hi)) throw new ConfigError(`invalid scale.feature_range: [${lo}, ${hi}] (expected min < max)`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; ++i) {
    if (observed[i] < min) min = observed[i];
    if (observed[i] > max) max = observed[i];
  }
  if (!n) {
    min = 0;
    max = 0;
  }
  const range = max - min;
  const scale = (hi - lo) / (range < 10 * EPS ? 1 : range);
  return {method, min, max, scale, offset: lo - min * scale};
}

export function applyScale(state: ScaleState, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  if (state.method === "standard") {
    const {mean, scale} = state;
    for (let i = 0; i < values.length; ++i) out[i] = (values[i] - mean) / scale;
  } else {
    const {scale, offset} = state;
    for (let i = 0; i < values.length; ++i) out[i] = values[i] * scale + offset;
  }
  return out;
}
