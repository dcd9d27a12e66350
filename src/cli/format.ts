import type {RunResult, StepRecord} from "../pipeline/engine/runTypes.ts";

/** Milliseconds as a short human duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** 3000000 → "3,000,000" (without Intl, which costs a fresh run tens of milliseconds to load). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatRows(rows: Record<string, number>): string {
  const entries = Object.entries(rows);
  if (!entries.length) return "";
  if (entries.length === 1) return `${thousands(entries[0][1])} rows`;
  return entries.map(([name, n]) => `${name} ${thousands(n)}`).join(", ");
}

/**
 * One step of `mlbook run`: name, fresh or ran, duration and rows in columns, then why it ran (a
 * reason of any length last, so it never pushes the columns out of line).
 */
export function formatStep(record: StepRecord, width = 10): string {
  const status = record.status === "fresh" ? "fresh" : "ran";
  const why = record.status === "fresh" ? "" : `  (${record.reason})`;
  const rows = formatRows(record.rows);
  return `  ${record.name.padEnd(width)} ${status.padEnd(5)} ${formatDuration(record.durationMs).padStart(8)}  ${why ? rows.padEnd(30) : rows}${why}`.trimEnd();
}

/** The headline metrics of a run, one per line, as `mlbook run` prints them. */
export function formatMetrics(result: RunResult): string[] {
  if (!result.metrics) return [];
  const lines = [`test metrics (${result.metrics.rows} rows)`];
  for (const [name, value] of Object.entries(result.headline))
    lines.push(`  ${name.padEnd(20)} ${value.toFixed(4)}`);
  return lines;
}

/** What `mlbook run --json` prints: one object for scripts and CI. */
export function runJson(
  result: Pick<RunResult, "runId" | "pipeline" | "configDigest" | "durationMs" | "steps" | "headline">
): string {
  const {runId, pipeline, configDigest, durationMs, steps, headline} = result;
  return JSON.stringify({runId, pipeline, configDigest, durationMs, steps, metrics: headline}, null, 2);
}

/** The last line of `mlbook run`. */
export function runLine(runId: string, durationMs: number): string {
  return `run ${runId} in ${formatDuration(durationMs)}`;
}
