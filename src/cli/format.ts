import type {RunResult, StepRecord} from "../pipeline/run.ts";

/** Milliseconds as a short human duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatRows(rows: Record<string, number>): string {
  const entries = Object.entries(rows);
  if (!entries.length) return "";
  if (entries.length === 1) return `${entries[0][1].toLocaleString("en-US")} rows`;
  return entries.map(([name, n]) => `${name} ${n.toLocaleString("en-US")}`).join(", ");
}

export function formatStep(record: StepRecord, width = 10): string {
  const status = record.status === "fresh" ? "fresh" : `ran (${record.reason})`;
  return `  ${record.name.padEnd(width)} ${status.padEnd(44)} ${formatDuration(record.durationMs).padStart(8)}  ${formatRows(record.rows)}`.trimEnd();
}

/** The headline metrics of a run, one per line, as `mlbook run` prints them. */
export function formatMetrics(result: RunResult): string[] {
  if (!result.metrics) return [];
  const lines = [`test metrics (${result.metrics.rows} rows)`];
  for (const [name, value] of Object.entries(result.headline))
    lines.push(`  ${name.padEnd(20)} ${value.toFixed(4)}`);
  return lines;
}
