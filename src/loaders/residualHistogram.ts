import type {Db} from "../pipeline/engine/db.ts";

/** Residuals (actual − predicted) of every scored test row, in bins of one round width. */
export interface ResidualHistogram {
  /** Bin i holds the residuals r with floor(r / width) = from / width: [from, from + width). */
  width: number;
  bins: {from: number; rows: number}[];
}

/** About this many bins: enough for a shape, few enough that 80 test rows still fill them. */
const TARGET_BINS = 25;

/**
 * The residual histogram of a relation of scored rows (`actual`, `prediction`), or null when no
 * row has an actual value.
 */
export async function residualHistogram(db: Db, rows: string): Promise<ResidualHistogram | null> {
  const residual = "(actual - prediction)";
  const [range] = await db.rows<{lo: number | null; hi: number | null}>(
    `SELECT min(${residual}) AS lo, max(${residual}) AS hi FROM ${rows} WHERE actual IS NOT NULL`
  );
  if (range.lo === null || range.hi === null) return null;
  const width = roundWidth((range.hi - range.lo) / TARGET_BINS);
  const bins = await db.rows<{bin: number; rows: number}>(
    `SELECT floor(${residual} / ${width})::INTEGER AS bin, count(*)::INTEGER AS rows FROM ${rows}
     WHERE actual IS NOT NULL GROUP BY 1 ORDER BY 1`
  );
  return {width, bins: bins.map((b) => ({from: b.bin * width, rows: b.rows}))};
}

/** The smallest of 1, 2, 2.5 or 5 times a power of ten at least `raw` (1 when every residual is one). */
export function roundWidth(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((w) => w >= raw * (1 - 1e-12))!;
}
