import {quoteIdent} from "../../pipeline/engine/sql.ts";
import {binGrid, tidy, type BinGrid} from "./binGrid.ts";
import {emptyBin, targetBins, type BinTarget} from "./targetBins.ts";
import type {TargetSpec} from "./targetSpec.ts";

/** The rows in [lo, hi) (the last bin closed). */
export interface NumericBin extends BinTarget {
  lo: number;
  hi: number;
}

export interface NumericSummary {
  kind: "numeric";
  stats: {
    min: number | null;
    max: number | null;
    mean: number | null;
    std: number | null;
    q25: number | null;
    q50: number | null;
    q75: number | null;
  };
  /** Every value is a whole number: its bins hold whole numbers (one bin per value when few). */
  integer: boolean;
  zeros: number;
  /** Bins over the whole range. */
  bins: NumericBin[];
  /**
   * Bins over the 1st–99th percentile, and how many values fell below and above it: a long tail
   * squeezes the whole-range histogram into a bar or two. Null when that range holds every value.
   */
  clipped: {lo: number; hi: number; below: number; above: number; bins: NumericBin[]} | null;
}

const integerType = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;

/** A numeric column's summary and bins, each bin with the target's breakdown when `target` is given. */
export async function numericProfile(
  db: {rows<T>(sql: string): Promise<T[]>},
  name: string,
  type: string,
  target: TargetSpec | null
): Promise<NumericSummary> {
  const x = `CAST(${quoteIdent(name)} AS DOUBLE)`;
  const finite = `isfinite(${x})`;
  const [s] = await db.rows<{
    lo: number | null;
    hi: number | null;
    mean: number | null;
    std: number | null;
    q: number[] | null;
    clip: number[] | null;
    fractional: number;
    zeros: number;
  }>(
    `SELECT min(${x}) AS lo, max(${x}) AS hi, avg(${x}) AS mean, stddev_samp(${x}) AS std,
       quantile_cont(${x}, [0.25, 0.5, 0.75]) AS q, quantile_disc(${x}, [0.01, 0.99]) AS clip,
       CAST(count(*) FILTER (WHERE ${x} <> floor(${x})) AS DOUBLE) AS fractional,
       CAST(count(*) FILTER (WHERE ${x} = 0) AS DOUBLE) AS zeros
     FROM t WHERE ${finite}`
  );
  const integer = integerType.test(type) || (s.lo !== null && s.fractional === 0);
  const stats = {
    min: s.lo,
    max: s.hi,
    mean: s.mean,
    std: s.std,
    q25: s.q?.[0] ?? null,
    q50: s.q?.[1] ?? null,
    q75: s.q?.[2] ?? null
  };
  if (s.lo === null || s.hi === null)
    return {kind: "numeric", stats, integer, zeros: 0, bins: [], clipped: null};
  const binsOver = async (grid: BinGrid, where: string): Promise<NumericBin[]> => {
    // The nudge puts a value sitting on an edge (32.3 over width 0.1) in the bin it starts, which
    // floating-point division would miss by 1e-15.
    const key = `least(greatest(floor((${x} - ${grid.start}) / ${grid.width} + 1e-9), 0), ${grid.count - 1})::INTEGER`;
    const got = await targetBins(db, key, where, target);
    return Array.from({length: grid.count}, (_, i) => ({
      lo: tidy(grid.start + i * grid.width),
      hi: tidy(grid.start + (i + 1) * grid.width),
      ...(got.get(String(i)) ?? emptyBin(target))
    }));
  };
  const bins = await binsOver(binGrid(s.lo, s.hi, integer), finite);
  const [p01, p99] = s.clip ?? [s.lo, s.hi];
  let clipped: NumericSummary["clipped"] = null;
  if (p99 > p01 && (p01 > s.lo || p99 < s.hi)) {
    const [tails] = await db.rows<{below: number; above: number}>(
      `SELECT CAST(count(*) FILTER (WHERE ${x} < ${p01}) AS DOUBLE) AS below,
         CAST(count(*) FILTER (WHERE ${x} > ${p99}) AS DOUBLE) AS above FROM t WHERE ${finite}`
    );
    const inside = `${finite} AND ${x} BETWEEN ${p01} AND ${p99}`;
    clipped = {lo: p01, hi: p99, ...tails, bins: await binsOver(binGrid(p01, p99, integer), inside)};
  }
  return {kind: "numeric", stats, integer, zeros: s.zeros, bins, clipped};
}
