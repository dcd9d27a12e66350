import {openDb, type Db} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";
import {artifactFile, artifactOf, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ColumnProfile {
  name: string;
  type: string;
  kind: "numeric" | "categorical";
  missingPct: number;
  distinct: number;
  /** Summary statistics (numeric columns; min/max of others as text). */
  stats: {
    min: number | string | null;
    max: number | string | null;
    mean: number | null;
    std: number | null;
    q25: number | null;
    q50: number | null;
    q75: number | null;
  };
  /** Equal-width bins (numeric) or the most frequent values, with the rest summed as "(other)". */
  bins: {lo: number; hi: number; count: number}[] | {value: string; count: number}[];
}

export interface EdaData {
  pipeline: string;
  rows: number;
  target: string;
  task: string;
  split: Record<string, number>;
  columns: ColumnProfile[];
  correlation: {columns: string[]; values: (number | null)[][]};
  /** At most `sampleRows` rows of the numeric columns and the target, for the scatter. */
  sample: Record<string, (number | string | null)[]>;
}

const maxColumns = 40;
const binCount = 30;
const topValues = 20;
const sampleRows = 2000;
const maxCorrelated = 16;

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
    const summary = await db.rows<Record<string, string | number | null>>("SELECT * FROM (SUMMARIZE t)");
    const [{n: rows}] = await db.rows<{n: number}>("SELECT CAST(count(*) AS DOUBLE) AS n FROM t");
    const columns: ColumnProfile[] = [];
    for (const s of summary.slice(0, maxColumns)) columns.push(await profile(db, s, rows));
    const target = loaded.config.data.target;
    const numeric = columns.filter((c) => c.kind === "numeric" && c.name !== target).map((c) => c.name);
    // A numeric target (regression) is correlated with the features too: first, so it always is.
    const targetNumeric = columns.some((c) => c.name === target && c.kind === "numeric");
    return {
      pipeline: name,
      rows,
      target,
      task: loaded.config.data.task,
      split: train?.entry.manifest.tables ?? {},
      columns,
      correlation: await correlation(
        db,
        [...(targetNumeric ? [target] : []), ...numeric].slice(0, maxCorrelated)
      ),
      sample: await sample(db, [...numeric, target])
    };
  } finally {
    db.close();
  }
}

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

async function profile(
  db: Db,
  s: Record<string, string | number | null>,
  rows: number
): Promise<ColumnProfile> {
  const name = String(s.column_name);
  const type = String(s.column_type);
  const c = quoteIdent(name);
  const numeric = numericType.test(type);
  const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));
  const [{missing, distinct}] = await db.rows<{missing: number; distinct: number}>(
    `SELECT CAST(count(*) FILTER (WHERE ${c} IS NULL) AS DOUBLE) AS missing, CAST(approx_count_distinct(${c}) AS DOUBLE) AS distinct FROM t`
  );
  const stats = numeric
    ? {
        min: num(s.min),
        max: num(s.max),
        mean: num(s.avg),
        std: num(s.std),
        q25: num(s.q25),
        q50: num(s.q50),
        q75: num(s.q75)
      }
    : {
        min: s.min === null ? null : String(s.min),
        max: s.max === null ? null : String(s.max),
        mean: null,
        std: null,
        q25: null,
        q50: null,
        q75: null
      };
  return {
    name,
    type,
    kind: numeric ? "numeric" : "categorical",
    missingPct: rows ? (100 * missing) / rows : 0,
    distinct,
    stats,
    bins: numeric ? await histogram(db, c) : await topCounts(db, c, rows - missing)
  };
}

async function histogram(db: Db, c: string): Promise<{lo: number; hi: number; count: number}[]> {
  const [{lo, hi}] = await db.rows<{lo: number | null; hi: number | null}>(
    `SELECT CAST(min(${c}) AS DOUBLE) AS lo, CAST(max(${c}) AS DOUBLE) AS hi FROM t WHERE isfinite(CAST(${c} AS DOUBLE))`
  );
  if (lo === null || hi === null) return [];
  const width = hi > lo ? (hi - lo) / binCount : 1;
  const counts = await db.rows<{b: number; n: number}>(
    `SELECT CAST(least(floor((CAST(${c} AS DOUBLE) - ${lo}) / ${width}), ${binCount - 1}) AS INTEGER) AS b, CAST(count(*) AS DOUBLE) AS n
     FROM t WHERE isfinite(CAST(${c} AS DOUBLE)) GROUP BY b`
  );
  const bins = Array.from({length: hi > lo ? binCount : 1}, (_, i) => ({
    lo: lo + i * width,
    hi: lo + (i + 1) * width,
    count: 0
  }));
  for (const {b, n} of counts) bins[b].count = n;
  return bins;
}

async function topCounts(db: Db, c: string, present: number): Promise<{value: string; count: number}[]> {
  const top = await db.rows<{value: string; count: number}>(
    `SELECT CAST(${c} AS VARCHAR) AS value, CAST(count(*) AS DOUBLE) AS count FROM t WHERE ${c} IS NOT NULL
     GROUP BY 1 ORDER BY count DESC, value LIMIT ${topValues}`
  );
  const rest = present - top.reduce((sum, t) => sum + t.count, 0);
  return rest > 0 ? [...top, {value: "(other)", count: rest}] : top;
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
