/**
 * Rows as aligned text columns that fit `width` (a terminal's 80 by default): the widest
 * shrinkable column gives way, its cells cut with an ellipsis. Numbers right-aligned.
 */
export function textTable(
  header: string[],
  rows: string[][],
  options: {width?: number; right?: number[]; shrink?: number[]} = {}
): string[] {
  const width = options.width ?? 80;
  const right = new Set(options.right ?? []);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const total = () => widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1);
  for (const c of options.shrink ?? []) {
    while (total() > width && widths[c] > Math.max(4, header[c].length)) widths[c]--;
  }
  const cell = (text: string, c: number) => {
    const t = text.length > widths[c] ? `${text.slice(0, widths[c] - 1)}…` : text;
    return right.has(c) ? t.padStart(widths[c]) : t.padEnd(widths[c]);
  };
  return [header, ...rows].map((r) => r.map(cell).join("  ").trimEnd());
}

/** A metric for a table cell: 4 decimals, or blank when missing. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "";
  return Math.abs(value) >= 1e5 ? value.toExponential(3) : value.toFixed(4);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
