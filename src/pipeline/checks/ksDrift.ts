import type {Db} from "../db.ts";
import {kolmogorovSf} from "../stats/kolmogorov.ts";
import {ksTwoSample} from "../stats/ksTwoSample.ts";
import type {DriftBin} from "./report.ts";

export interface TestOutcome {
  statistic: number | null;
  p_value: number | null;
  reference_rows: number;
  current_rows: number;
  histogram: DriftBin[];
}

/**
 * ksTwoSample's own threshold: at most this many values on both sides it computes an exact p-value,
 * beyond it the asymptotic one. Must stay equal to MAX_AUTO_N in stats/ksTwoSample.ts.
 */
const EXACT_MAX = 10000;

/**
 * Two-sample KS drift between two queries yielding one DOUBLE column `x`, NULL and NaN ignored (as
 * scipy's nan_policy="omit"), on every value: no sampling. Small samples go through ksTwoSample
 * itself. Large ones arrive sorted from DuckDB (a parallel sort) and take ksTwoSample's asymptotic
 * path here, with its arithmetic, so the numbers are the same (the tests check it) while skipping
 * its TypedArray filter + sort, which cost ~4 s at 3 million values. Memory: 8 bytes a value.
 */
export async function ksDrift(
  db: Db,
  reference: string,
  current: string,
  bins: number
): Promise<TestOutcome> {
  const values = (sql: string) =>
    db.numbers(`SELECT x FROM (${sql}) WHERE x IS NOT NULL AND NOT isnan(x) ORDER BY x`);
  const a = await values(reference);
  const b = await values(current);
  const outcome = {reference_rows: a.length, current_rows: b.length, histogram: histogram(a, b, bins)};
  if (!a.length || !b.length) return {statistic: null, p_value: null, ...outcome};
  const r = Math.max(a.length, b.length) <= EXACT_MAX ? ksTwoSample(a, b) : ksAsymptotic(a, b);
  return {statistic: r.statistic, p_value: r.pvalue, ...outcome};
}

/** ksTwoSample's two-sided asymptotic branch, on samples already sorted ascending. */
function ksAsymptotic(data1: Float64Array, data2: Float64Array): {statistic: number; pvalue: number} {
  const n1 = data1.length;
  const n2 = data2.length;
  let maxS = -Infinity;
  let minS = Infinity;
  for (const data of [data1, data2]) {
    let i1 = 0;
    let i2 = 0;
    for (const x of data) {
      while (i1 < n1 && data1[i1] <= x) ++i1;
      while (i2 < n2 && data2[i2] <= x) ++i2;
      const diff = i1 / n1 - i2 / n2;
      if (diff > maxS) maxS = diff;
      if (diff < minS) minS = diff;
    }
  }
  const minD = Math.min(Math.max(-minS, 0), 1);
  const d = minD > maxS ? minD : maxS;
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const pvalue = kolmogorovSf(roundHalfEven((m * n) / (m + n)), d);
  return {statistic: d, pvalue: Math.min(Math.max(pvalue, 0), 1)};
}

/** numpy's round, as ksTwoSample rounds the effective sample size: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Equal-width bins over the finite range of both sides, counts per side: what a drift chart draws. */
function histogram(a: Float64Array, b: Float64Array, bins: number): DriftBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const side of [a, b]) {
    for (const v of side) {
      if (v < lo && v !== -Infinity) lo = v;
      if (v > hi && v !== Infinity) hi = v;
    }
  }
  if (lo > hi) return [];
  const k = hi > lo ? bins : 1;
  const width = (hi - lo) / k;
  const out = Array.from({length: k}, (_, i) => ({
    lo: lo + i * width,
    hi: i === k - 1 ? hi : lo + (i + 1) * width,
    reference: 0,
    current: 0
  }));
  const count = (side: Float64Array, key: "reference" | "current") => {
    for (const v of side) {
      if (!Number.isFinite(v)) continue;
      const i = width > 0 ? Math.min(Math.floor((v - lo) / width), k - 1) : 0;
      out[i][key] += 1;
    }
  };
  count(a, "reference");
  count(b, "current");
  return out;
}
