import {openDb, type Db} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";
import {artifactFile, artifactOf, currentRun} from "./currentRun.ts";
import {association, type Association, type FeatureSql} from "./eda/association.ts";
import {categoricalProfile, valueGroup, type CategoricalSummary} from "./eda/categoricalProfile.ts";
import {dateFormat, dateProfile, type DateSummary} from "./eda/dateProfile.ts";
import {numericProfile, type NumericSummary} from "./eda/numericProfile.ts";
import {targetSpec} from "./eda/targetSpec.ts";
import {textProfile, type TextSummary} from "./eda/textProfile.ts";
import type {PipelineContext} from "./pipelineContext.ts";

/**
 * One column as a profiling report shows it, by what it holds: numbers (summary statistics and
 * bins), categories (the most frequent values), free text (lengths and repeated values) or dates
 * (periods). `bins` always counts every present value once.
 */
export type ColumnProfile = {
  name: string;
  type: string;
  missing: number;
  missingPct: number;
  distinct: number;
  /** Left out of the model's features by the config (`features:`), though in the table. */
  notFeature: boolean;
} & (NumericSummary | CategoricalSummary | TextSummary | DateSummary);

export interface EdaData {
  pipeline: string;
  rows: number;
  /** Rows with no missing value in any column. */
  completeRows: number;
  target: string;
  task: string;
  /** Classification: the classes each bin's `byClass` counts, in order; `(other)` pools the rarest. */
  classes: string[];
  split: Record<string, number>;
  columns: ColumnProfile[];
  /** Each feature's association with the target, strongest first (text columns have none). */
  association: Association[];
  correlation: {columns: string[]; values: (number | null)[][]};
  /** At most `sampleRows` rows of the numeric columns and the target, for the scatter. */
  sample: Record<string, (number | string | null)[]>;
}

const maxColumns = 40;
const sampleRows = 2000;
const maxCorrelated = 16;

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const floatType = /^(FLOAT|DOUBLE|REAL)$/;
const dateType = /^(DATE|TIMESTAMP.*)$/;

/**
 * Page data of the Data page, aggregated by DuckDB over the cleaned table: whatever the row count,
 * the page receives bins, summaries and a bounded sample, never the rows.
 */
export async function eda({name, loaded}: PipelineContext): Promise<EdaData> {
  const run = await currentRun(loaded);
  const clean = artifactFile(run, "clean_data");
  if (!clean) throw new Error(`report: pipeline ${name} makes no clean_data`);
  const train = artifactOf(run, "train_data");
  const db = await openDb({files: [clean]});
  try {
    await db.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${quoteString(clean)})`);
    const described = (await db.rows<{column_name: string; column_type: string}>("DESCRIBE t")).slice(
      0,
      maxColumns
    );
    const counts = await columnCounts(db, described);
    const {target: targetName, task} = loaded.config.data;
    const target = await targetSpec(db, targetName, task);
    const {include, exclude} = loaded.config.features;
    const columns: ColumnProfile[] = [];
    const features: FeatureSql[] = [];
    for (const {column_name: column, column_type: type} of described) {
      const c = counts.get(column)!;
      const isTarget = column === targetName;
      const breakdown = isTarget ? null : target;
      const present = counts.rows - c.missing;
      const format = type === "VARCHAR" && present ? await dateFormat(db, column) : null;
      let summary: NumericSummary | CategoricalSummary | TextSummary | DateSummary;
      if (numericType.test(type)) {
        summary = await numericProfile(db, column, type, breakdown);
        features.push({column, number: `CAST(${quoteIdent(column)} AS DOUBLE)`});
      } else if (dateType.test(type) || format) {
        summary = await dateProfile(db, column, format, breakdown);
        const ts = format ? `strptime(${quoteIdent(column)}, ${quoteString(format)})` : quoteIdent(column);
        features.push({column, number: `CAST(epoch(${ts}) AS DOUBLE)`});
      } else if (type === "VARCHAR" && isText(c.distinct, present, c.meanLength)) {
        summary = await textProfile(db, column);
      } else {
        const categories = await categoricalProfile(db, column, breakdown);
        const top = categories.bins.filter((b) => !b.other).map((b) => b.value);
        features.push({column, group: valueGroup(column, top)});
        summary = categories;
      }
      columns.push({
        name: column,
        type,
        missing: c.missing,
        missingPct: counts.rows ? (100 * c.missing) / counts.rows : 0,
        distinct: c.distinct,
        notFeature:
          !isTarget && (exclude.includes(column) || (include !== undefined && !include.includes(column))),
        ...summary
      });
    }
    const numeric = columns.filter((c) => c.kind === "numeric" && c.name !== targetName).map((c) => c.name);
    // A numeric target (regression) is correlated with the features too: first, so it always is.
    const targetNumeric = columns.some((c) => c.name === targetName && c.kind === "numeric");
    return {
      pipeline: name,
      rows: counts.rows,
      completeRows: counts.complete,
      target: targetName,
      task,
      classes: target.classes,
      split: train?.entry.manifest.tables ?? {},
      columns,
      association: await association(
        db,
        features.filter((f) => f.column !== targetName),
        target
      ),
      correlation: await correlation(
        db,
        [...(targetNumeric ? [targetName] : []), ...numeric].slice(0, maxCorrelated)
      ),
      sample: await sample(db, [...numeric, targetName])
    };
  } finally {
    db.close();
  }
}

/**
 * Free text rather than categories: most values are distinct (titles, names), or they run long.
 * A bar per value would be a bar per row.
 */
function isText(distinct: number, present: number, meanLength: number | null): boolean {
  return (distinct > 50 && distinct >= present / 2) || (meanLength ?? 0) >= 40;
}

/** Rows, complete rows, and each column's missing values (NULL, or NaN), distinct values and mean text length, in one scan. */
async function columnCounts(
  db: Db,
  described: {column_name: string; column_type: string}[]
): Promise<{
  rows: number;
  complete: number;
  get(column: string): {missing: number; distinct: number; meanLength: number | null} | undefined;
}> {
  const missing = (c: string, type: string) =>
    floatType.test(type) ? `(${c} IS NULL OR isnan(${c}))` : `${c} IS NULL`;
  const parts = described.map(({column_name, column_type}, i) => {
    const c = quoteIdent(column_name);
    const length = column_type === "VARCHAR" ? `avg(length(${c}))` : "NULL";
    return `CAST(count(*) FILTER (WHERE ${missing(c, column_type)}) AS DOUBLE) AS m${i}, CAST(count(DISTINCT ${c}) AS DOUBLE) AS d${i}, ${length} AS l${i}`;
  });
  const anyMissing =
    described.map((d) => missing(quoteIdent(d.column_name), d.column_type)).join(" OR ") || "false";
  const [row] = await db.rows<Record<string, number | null>>(
    `SELECT CAST(count(*) AS DOUBLE) AS n, CAST(count(*) FILTER (WHERE NOT (${anyMissing})) AS DOUBLE) AS complete, ${parts.join(", ")} FROM t`
  );
  const byName = new Map(
    described.map((d, i) => [
      d.column_name,
      {missing: row[`m${i}`] ?? 0, distinct: row[`d${i}`] ?? 0, meanLength: row[`l${i}`]}
    ])
  );
  return {rows: row.n ?? 0, complete: row.complete ?? 0, get: (column) => byName.get(column)};
}

async function correlation(db: Db, columns: string[]): Promise<EdaData["correlation"]> {
  if (columns.length < 2) return {columns, values: columns.map(() => [1])};
  const pairs: [number, number][] = [];
  for (let i = 0; i < columns.length; ++i) for (let j = i + 1; j < columns.length; ++j) pairs.push([i, j]);
  const cast = (i: number) => `CAST(${quoteIdent(columns[i])} AS DOUBLE)`;
  const [row] = await db.rows<Record<string, number | null>>(
    `SELECT ${pairs.map(([i, j], k) => `corr(${cast(i)}, ${cast(j)}) AS p${k}`).join(", ")} FROM t`
  );
  const values = columns.map((_, i) => columns.map((__, j) => (i === j ? 1 : (null as number | null))));
  pairs.forEach(([i, j], k) => {
    const v = row[`p${k}`];
    values[i][j] = values[j][i] = v === null || Number.isNaN(v) ? null : v;
  });
  return {columns, values};
}

async function sample(db: Db, columns: string[]): Promise<EdaData["sample"]> {
  const list = columns.map(quoteIdent).join(", ");
  const rows = await db.rows<Record<string, number | string | null>>(
    `SELECT ${list} FROM t USING SAMPLE reservoir(${sampleRows} ROWS) REPEATABLE (42)`
  );
  return Object.fromEntries(columns.map((c) => [c, rows.map((r) => normalise(r[c]))]));
}

function normalise(v: unknown): number | string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "number" || typeof v === "string" ? v : String(v);
}
