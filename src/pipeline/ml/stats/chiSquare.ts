import {compareStrings} from "../transforms/compareStrings.ts";
import {gammaincc} from "./gammaincc.ts";

export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  dof: number;
  /** Expected counts under independence, row-major like the observed table. */
  expected: number[][];
}

/**
 * Pearson's chi-square test of independence on a contingency table, as scipy.stats.chi2_contingency:
 * Yates' continuity correction applies only when dof = 1 (and `correction` is on, the default).
 */
export function chiSquareContingency(
  observed: readonly (readonly number[])[],
  correction = true
): ChiSquareResult {
  const r = observed.length;
  const c = r ? observed[0].length : 0;
  const rowSums = observed.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = Array.from({length: c}, (_, j) => observed.reduce((s, row) => s + row[j], 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  const expected = observed.map((_, i) => colSums.map((cs) => (rowSums[i] * cs) / total));
  for (const row of expected) {
    for (const e of row)
      if (!(e > 0)) throw new RangeError("chi-square: a row or column of the table sums to 0");
  }
  const dof = Math.max(0, r * c - r - c + 1);
  if (dof === 0) return {statistic: 0, pvalue: 1, dof, expected};
  let statistic = 0;
  for (let i = 0; i < r; ++i) {
    for (let j = 0; j < c; ++j) {
      let o = observed[i][j];
      const e = expected[i][j];
      if (dof === 1 && correction) o += Math.sign(e - o) * Math.min(0.5, Math.abs(e - o));
      statistic += ((o - e) * (o - e)) / e;
    }
  }
  return {statistic, pvalue: gammaincc(dof / 2, statistic / 2), dof, expected};
}

/**
 * Drift of a categorical column: do samples a and b share one category distribution? Builds the
 * 2 × k table (sample × category, categories sorted, a missing value counted as a category of its
 * own since a change in missingness is drift too) and tests it.
 */
export function chiSquareTwoSample(
  a: readonly (string | null)[],
  b: readonly (string | null)[],
  correction = true
): ChiSquareResult & {categories: (string | null)[]} {
  const count = (values: readonly (string | null)[]) => {
    const counts = new Map<string | null, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
  };
  const ca = count(a);
  const cb = count(b);
  const categories = [...new Set([...ca.keys(), ...cb.keys()])].sort(compareStrings);
  const table = [categories.map((k) => ca.get(k) ?? 0), categories.map((k) => cb.get(k) ?? 0)];
  return {...chiSquareContingency(table, correction), categories};
}
