import type {Db} from "../../engine/db.ts";
import {chiSquareContingency} from "../../ml/stats/chiSquare.ts";
import {compareStrings} from "../../ml/transforms/compareStrings.ts";
import type {TestOutcome} from "./ksDrift.ts";

/** The category that pools the rarest ones when a column has more than `max_categories`. */
export const OTHER = "(other)";

/**
 * Chi-square drift between two queries yielding one VARCHAR column `v`, on the 2 × k table of
 * category counts (counted in DuckDB; a missing value is a category, as chiSquareTwoSample counts
 * it). Categories are ordered as chiSquareTwoSample orders them, so the numbers equal its numbers
 * on the same values. Past `maxCategories`, the rarest are pooled into one "(other)" column: a
 * 3-million-value id column must not become a 3-million-column table.
 */
export async function chiSquareDrift(
  db: Db,
  reference: string,
  current: string,
  maxCategories: number
): Promise<TestOutcome> {
  const kept = `(total <= ${maxCategories} OR rk < ${maxCategories})`;
  const groups = await db.rows<{kept: boolean; v: string | null; r: number; c: number}>(
    `WITH s AS (SELECT v, 0 AS side FROM (${reference}) UNION ALL SELECT v, 1 FROM (${current})), ` +
      `g AS (SELECT v, count(*) FILTER (WHERE side = 0) AS r, count(*) FILTER (WHERE side = 1) AS c FROM s GROUP BY v), ` +
      `k AS (SELECT *, row_number() OVER (ORDER BY r + c DESC, v NULLS LAST) AS rk, count(*) OVER () AS total FROM g) ` +
      `SELECT ${kept} AS kept, CASE WHEN ${kept} THEN v END AS v, CAST(sum(r) AS DOUBLE) AS r, CAST(sum(c) AS DOUBLE) AS c FROM k GROUP BY ALL`
  );
  groups.sort((a, b) => (a.kept !== b.kept ? (a.kept ? -1 : 1) : compareStrings(a.v, b.v)));
  const histogram = groups.map((g) => ({category: g.kept ? g.v : OTHER, reference: g.r, current: g.c}));
  const reference_rows = groups.reduce((s, g) => s + g.r, 0);
  const current_rows = groups.reduce((s, g) => s + g.c, 0);
  const outcome = {reference_rows, current_rows, histogram};
  if (!reference_rows || !current_rows) return {statistic: null, p_value: null, ...outcome};
  const r = chiSquareContingency([groups.map((g) => g.r), groups.map((g) => g.c)]);
  return {statistic: r.statistic, p_value: r.pvalue, ...outcome};
}
