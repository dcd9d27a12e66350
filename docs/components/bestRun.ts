import type {RunMetrics} from "./defaultMetric.js";

/**
 * The run that scores best on the metric (the lowest, for losses and errors); the newest of those
 * tied, as runs come newest first. Null when no run has the metric.
 */
export function bestRun<R extends RunMetrics>(
  runs: readonly R[],
  metric: string,
  lowerIsBetter: boolean
): R | null {
  const sign = lowerIsBetter ? -1 : 1;
  let best: R | null = null;
  for (const r of runs) {
    const v = r.metrics[metric];
    if (v !== undefined && Number.isFinite(v) && (!best || sign * v > sign * best.metrics[metric])) best = r;
  }
  return best;
}
