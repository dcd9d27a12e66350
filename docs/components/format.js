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

/**
 * A measured number at a glance, by magnitude: 44,519,744 (thousands and up, rounded, with
 * separators), 4.45e9 past a billion, four significant digits below a thousand (43.92, 0.1235),
 * 1.2e-4 below a thousandth. Whole numbers keep every digit up to a billion.
 */
export function number(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 1e9) return Number(value.toPrecision(3)).toExponential().replace("e+", "e");
  if (size >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString("en-US");
  if (size < 1e-3) return Number(value.toPrecision(2)).toExponential();
  return String(Number(value.toPrecision(4)));
}

/** A file size: 2230321 → 2.1 MB (powers of 1024, as file managers show them). Tracking's 64-bit counts come as text. */
export function bytes(value) {
  if (value === null || value === undefined || value === "" || !Number.isFinite(Number(value))) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = Number(value);
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    ++i;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
