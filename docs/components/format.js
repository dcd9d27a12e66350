/** Numbers as the CLI prints them: four decimals, integers as they are. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function duration(ms) {
  const v = Number(ms);
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;
}

export function short(key) {
  return String(key).slice(0, 12);
}

/** A metric as `mlbook show` prints it (src/pipeline/tracking/textTable.ts: formatMetric). */
export function metric(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return fmt(value);
  return Math.abs(value) >= 1e5 ? value.toExponential(3) : value.toFixed(4);
}
