import type {TargetSpec} from "./targetSpec.ts";

/** One bin's rows and what the target does in them. */
export interface BinTarget {
  count: number;
  /** Classification: rows of each class (as `classes` orders them); rows without a label are in no class. */
  byClass?: number[];
  /** Regression: the target's mean over the bin's labelled rows (null when none is). */
  mean?: number | null;
}

/**
 * Counts the rows of `t` matching `where` by bin (`bin`: SQL of a row's bin key) in one grouped
 * scan, with the target broken down by bin when `target` is given: the page draws the
 * distribution and the target against the feature from the same bins.
 */
export async function targetBins(
  db: {rows<T>(sql: string): Promise<T[]>},
  bin: string,
  where: string,
  target: TargetSpec | null
): Promise<Map<string, BinTarget>> {
  const out = new Map<string, BinTarget>();
  if (target?.task === "classification") {
    const rows = await db.rows<{b: string; k: string | null; n: number}>(
      `SELECT CAST(${bin} AS VARCHAR) AS b, ${target.sql} AS k, CAST(count(*) AS DOUBLE) AS n FROM t WHERE ${where} GROUP BY ALL`
    );
    for (const {b, k, n} of rows) {
      const got = out.get(b) ?? {count: 0, byClass: target.classes.map(() => 0)};
      got.count += n;
      const i = k === null ? -1 : target.classes.indexOf(k);
      if (i >= 0) got.byClass![i] += n;
      out.set(b, got);
    }
    return out;
  }
  const mean = target ? `, avg(${target.sql}) AS m` : "";
  const rows = await db.rows<{b: string; n: number; m?: number | null}>(
    `SELECT CAST(${bin} AS VARCHAR) AS b, CAST(count(*) AS DOUBLE) AS n${mean} FROM t WHERE ${where} GROUP BY 1`
  );
  for (const {b, n, m} of rows) out.set(b, target ? {count: n, mean: m ?? null} : {count: n});
  return out;
}

/** A bin no row fell in. */
export function emptyBin(target: TargetSpec | null): BinTarget {
  if (!target) return {count: 0};
  return target.task === "classification"
    ? {count: 0, byClass: target.classes.map(() => 0)}
    : {count: 0, mean: null};
}
