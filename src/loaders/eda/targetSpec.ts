import {quoteIdent, quoteString} from "../../pipeline/engine/sql.ts";

/** The target as the Data page breaks features down by it. */
export interface TargetSpec {
  column: string;
  task: "classification" | "regression";
  /** Classification: the most frequent classes, shown one by one; the rest pool as `(other)`. */
  classes: string[];
  /** SQL of the target's class (VARCHAR, pooled) or value (DOUBLE) per row of `t`. */
  sql: string;
}

/** Classes shown apart: more would be colours no reader tells apart. */
const maxClasses = 10;
export const otherLabel = "(other)";

export async function targetSpec(
  db: {rows<T>(sql: string): Promise<T[]>},
  column: string,
  task: string
): Promise<TargetSpec> {
  const c = quoteIdent(column);
  if (task !== "classification")
    return {column, task: "regression", classes: [], sql: `CAST(${c} AS DOUBLE)`};
  const top = await db.rows<{value: string}>(
    `SELECT CAST(${c} AS VARCHAR) AS value FROM t WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${maxClasses + 1}`
  );
  const pooled = top.length > maxClasses;
  const classes = top.slice(0, maxClasses).map((r) => r.value);
  const sql = pooled
    ? `CASE WHEN ${c} IS NULL THEN NULL WHEN CAST(${c} AS VARCHAR) IN (${classes.map(quoteString).join(", ")}) THEN CAST(${c} AS VARCHAR) ELSE ${quoteString(otherLabel)} END`
    : `CAST(${c} AS VARCHAR)`;
  // Sorted, as a chart's colour legend sorts them: a class keeps its colour from chart to chart.
  return {
    column,
    task: "classification",
    classes: pooled ? [...classes.sort(), otherLabel] : classes.sort(),
    sql
  };
}
