/** The metrics of a set of runs: only what the default metric and the best run need of a run. */
export interface RunMetrics {
  id: string;
  metrics: Record<string, number>;
}

/** Whether the runs that have the metric do not all score the same: a flat metric compares nothing. */
export function varies(runs: readonly RunMetrics[], metric: string): boolean {
  return (
    new Set(runs.map((r) => r.metrics[metric]).filter((v) => v !== undefined && Number.isFinite(v))).size > 1
  );
}

/**
 * The metric a page first charts: the one the pipeline selects by, if it varies across the runs
 * shown; else the first that varies (a sweep's penguins models may all score accuracy 1 while
 * their log_loss differs); else the selection metric, or the first.
 */
export function defaultMetric(
  runs: readonly RunMetrics[],
  metricNames: readonly string[],
  preferred: string | null
): string | null {
  const selection = preferred !== null && metricNames.includes(preferred) ? preferred : null;
  if (selection !== null && varies(runs, selection)) return selection;
  return metricNames.find((m) => varies(runs, m)) ?? selection ?? metricNames[0] ?? null;
}
