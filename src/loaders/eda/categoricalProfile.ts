import {quoteIdent, quoteString} from "../../pipeline/engine/sql.ts";
import {targetBins, type BinTarget} from "./targetBins.ts";
import {otherLabel, type TargetSpec} from "./targetSpec.ts";

export interface ValueBin extends BinTarget {
  value: string;
  /** The bin pooling every value past the most frequent ones. */
  other?: true;
}

export interface CategoricalSummary {
  kind: "categorical";
  /** The most frequent values, then the rest pooled. */
  bins: ValueBin[];
}

const topValues = 20;

/**
 * SQL grouping a column's values as its profile shows them: each of `top` apart, the rest in one
 * key (prefixed keys, so a value spelled "(other)" stays itself).
 */
export function valueGroup(column: string, top: readonly string[]): string {
  const v = `CAST(${quoteIdent(column)} AS VARCHAR)`;
  if (!top.length) return `'o'`;
  return `CASE WHEN ${v} IN (${top.map(quoteString).join(", ")}) THEN 'v:' || ${v} ELSE 'o' END`;
}

/** The most frequent values, most frequent first. */
export async function topValuesOf(
  db: {rows<T>(sql: string): Promise<T[]>},
  column: string,
  limit: number
): Promise<{value: string; count: number}[]> {
  const c = quoteIdent(column);
  return db.rows<{value: string; count: number}>(
    `SELECT CAST(${c} AS VARCHAR) AS value, CAST(count(*) AS DOUBLE) AS count FROM t WHERE ${c} IS NOT NULL
     GROUP BY 1 ORDER BY count DESC, value LIMIT ${limit}`
  );
}

/** A categorical column's most frequent values, each with the target's breakdown when `target` is given. */
export async function categoricalProfile(
  db: {rows<T>(sql: string): Promise<T[]>},
  name: string,
  target: TargetSpec | null
): Promise<CategoricalSummary> {
  const top = (await topValuesOf(db, name, topValues)).map((t) => t.value);
  const got = await targetBins(db, valueGroup(name, top), `${quoteIdent(name)} IS NOT NULL`, target);
  const bins: ValueBin[] = top.map((value) => ({value, ...got.get(`v:${value}`)!}));
  const rest = got.get("o");
  if (rest) bins.push({value: otherLabel, other: true, ...rest});
  return {kind: "categorical", bins};
}
