import type {Db} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";

/** A regression's errors over the test rows grouped by one column of theirs. */
export interface ColumnErrors {
  column: string;
  /**
   * numeric: one group per value when the column has at most GROUPS values, else ranges holding
   * about a tenth of the rows each (from, to: the least and greatest value in it; a value is never
   * split between two ranges). category: the commonest values, the rest as one "other" group.
   * Missing values are one more group, last, with from and to null.
   */
  kind: "numeric" | "category";
  groups: {group: string; from: number | null; to: number | null; rows: number; mae: number; bias: number}[];
}

/** At most this many values are shown one by one. */
const GROUPS = 12;

const NUMERIC = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|REAL|DOUBLE|DECIMAL.*)$/;

/**
 * Per column of `rows` (the test rows with `__actual` and `__prediction` beside them; `target` is
 * left out): the mean absolute error (mae) and mean residual, actual − predicted (bias), per
 * group of the column's values. A text column whose commonest values hold under half its rows (a
 * name, a title, a director) says little per value and is left out, as are columns with no value.
 */
export async function errorByColumn(db: Db, rows: string, target: string): Promise<ColumnErrors[]> {
  const columns = await db.rows<{column_name: string; column_type: string}>(`DESCRIBE SELECT * FROM ${rows}`);
  const [{n}] = await db.rows<{n: number}>(`SELECT count(*)::INTEGER AS n FROM ${rows}`);
  const measures = `count(*)::INTEGER AS rows, avg(abs(__actual - __prediction)) AS mae, avg(__actual - __prediction) AS bias`;
  const out: ColumnErrors[] = [];
  for (const {column_name: column, column_type: type} of columns) {
    if (column === target || column.startsWith("__")) continue;
    const numeric = NUMERIC.test(type);
    const v = numeric ? `CAST(${quoteIdent(column)} AS DOUBLE)` : `CAST(${quoteIdent(column)} AS VARCHAR)`;
    const [{distinct}] = await db.rows<{distinct: number}>(
      `SELECT count(DISTINCT ${v})::INTEGER AS "distinct" FROM ${rows}`
    );
    if (distinct === 0) continue;
    const missing = await db.rows<ColumnErrors["groups"][number]>(
      `SELECT '(missing)' AS "group", NULL AS "from", NULL AS "to", ${measures} FROM ${rows} WHERE ${v} IS NULL HAVING count(*) > 0`
    );
    let groups: ColumnErrors["groups"];
    if (numeric) {
      // Range j holds the values above the j-th distinct decile edge, up to the next: equal values stay together.
      const range = distinct <= GROUPS ? v : await decile(db, rows, v);
      const made = await db.rows<{from: number; to: number; rows: number; mae: number; bias: number}>(
        `SELECT min(${v}) AS "from", max(${v}) AS "to", ${measures} FROM ${rows} WHERE ${v} IS NOT NULL
         GROUP BY ${range} ORDER BY 1`
      );
      groups = made.map((g) => ({
        group: g.from === g.to ? short(g.from) : `${short(g.from)}–${short(g.to)}`,
        ...g
      }));
    } else {
      groups = await db.rows<ColumnErrors["groups"][number]>(
        `SELECT ${v} AS "group", NULL AS "from", NULL AS "to", ${measures} FROM ${rows} WHERE ${v} IS NOT NULL
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${GROUPS}`
      );
      const shown = groups.reduce((sum, g) => sum + g.rows, 0);
      const present = n - (missing[0]?.rows ?? 0);
      if (shown < present / 2) continue;
      if (distinct > GROUPS) {
        const [other] = await db.rows<ColumnErrors["groups"][number]>(
          `SELECT 'other (${distinct - GROUPS} values)' AS "group", NULL AS "from", NULL AS "to", ${measures}
           FROM ${rows} WHERE ${v} NOT IN (${groups.map((g) => quoteString(g.group)).join(", ")})`
        );
        groups.push(other);
      }
    }
    out.push({column, kind: numeric ? "numeric" : "category", groups: [...groups, ...missing]});
  }
  return out;
}

/** A CASE giving the decile range of `v`, by the distinct edges of its deciles. */
async function decile(db: Db, rows: string, v: string): Promise<string> {
  const [{edges}] = await db.rows<{edges: number[]}>(
    `SELECT list_sort(list_distinct(quantile_disc(${v}, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]))) AS edges
     FROM ${rows}`
  );
  const cases = edges.map((e, j) => `WHEN ${v} <= ${quoteString(String(e))}::DOUBLE THEN ${j}`);
  return `CASE ${cases.join(" ")} ELSE ${edges.length} END`;
}

/**
 * A range's end as people read it: up to four significant digits, thousands separated from five
 * digits on (a year reads 1970, not 1,970).
 */
function short(x: number): string {
  const rounded = Number(x.toPrecision(4));
  return rounded.toLocaleString("en-US", {
    maximumFractionDigits: 4,
    useGrouping: Math.abs(rounded) >= 10_000
  });
}
