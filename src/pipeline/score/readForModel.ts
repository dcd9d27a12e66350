import type {SignatureColumn} from "../ml/bundle.ts";
import type {ColumnsOf, Db} from "../engine/db.ts";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {Column, Table} from "../ml/table.ts";

/** Row objects → typed columns, naming the column and row of the first value that does not fit. */
export function tableFromRows(
  signature: readonly SignatureColumn[],
  rows: readonly Record<string, unknown>[]
): Table {
  const columns: Record<string, Column> = {};
  for (const s of signature) {
    if (rows.length && !rows.some((r) => s.name in r)) throw missingColumn(s, Object.keys(rows[0]));
    if (s.kind === "numeric") {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; ++i) {
        const v = rows[i][s.name];
        if (v === null || v === undefined) out[i] = NaN;
        else if (typeof v === "number") out[i] = v;
        else if (typeof v === "boolean") out[i] = Number(v);
        else throw wrongType(s, i + 1, v);
      }
      columns[s.name] = out;
    } else {
      columns[s.name] = rows.map((r) => {
        const v = r[s.name];
        return v === null || v === undefined ? null : String(v);
      });
    }
  }
  return {rows: rows.length, columns};
}

export function missingColumn(s: SignatureColumn, have: string[]): DataError {
  return new DataError(
    `missing column ${JSON.stringify(s.name)} (the model needs it as ${s.type}; the input has ${have.join(", ")})`
  );
}

export function wrongType(s: SignatureColumn, row: number, value: unknown): DataError {
  return new DataError(
    `column ${JSON.stringify(s.name)}, row ${row}: ${JSON.stringify(value)} is not a number (the model expects ${s.type})`
  );
}

export const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;

/**
 * Reads the signature's columns of a relation into typed columns, checking them first: a missing
 * column, or a value a numeric column cannot hold, is an error naming the column (and row, counted
 * from 1). Category strings are decoded through a small dictionary, never one string per row.
 */
export async function readForModel(
  db: Db,
  relation: string,
  signature: readonly SignatureColumn[]
): Promise<Table> {
  const described = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM ${relation}`
  );
  const types = new Map(described.map((d) => [d.column_name, d.column_type]));
  for (const s of signature) {
    if (!types.has(s.name)) throw missingColumn(s, [...types.keys()]);
  }
  for (const s of signature) {
    const type = types.get(s.name)!;
    if (s.kind !== "numeric" || numericType.test(type)) continue;
    const c = quoteIdent(s.name);
    const [bad] = await db.rows<{rn: number; v: string}>(
      `SELECT rn::BIGINT AS rn, v FROM (SELECT row_number() OVER () AS rn, CAST(${c} AS VARCHAR) AS v FROM ${relation})
       WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL ORDER BY rn LIMIT 1`
    );
    if (bad) throw wrongType(s, Number(bad.rn), bad.v);
  }
  const reader = featureReader(signature);
  return reader.decode(await db.columns(`SELECT ${reader.select.join(", ")} FROM ${relation}`));
}

/**
 * How a relation's features are read into a Table in one query: numbers as DOUBLE; a category as
 * its code among the ones training saw (an ENUM over them: DuckDB maps strings to codes, JS only
 * picks from the list), and, only where it is one training never saw, its text. `select` lists
 * the query's columns; `decode` turns what it read into the table.
 */
export function featureReader(signature: readonly SignatureColumn[]): {
  select: string[];
  decode(read: ColumnsOf): Table;
} {
  const coded = (s: SignatureColumn) =>
    s.kind !== "numeric" && !!s.categories?.length && s.categories.length <= 4096;
  const select: string[] = [];
  for (const s of signature) {
    const c = quoteIdent(s.name);
    if (s.kind === "numeric") select.push(`TRY_CAST(${c} AS DOUBLE)`);
    else if (coded(s)) {
      const code = `enum_code(TRY_CAST(CAST(${c} AS VARCHAR) AS ENUM(${s.categories!.map(quoteString).join(", ")})))`;
      select.push(
        `${code}::DOUBLE`,
        `CASE WHEN ${c} IS NOT NULL AND ${code} IS NULL THEN CAST(${c} AS VARCHAR) END`
      );
    } else select.push(`CAST(${c} AS VARCHAR)`);
  }
  const decode = (read: ColumnsOf): Table => {
    const columns: Record<string, Column> = {};
    let at = 0;
    for (const s of signature) {
      if (!coded(s)) {
        columns[s.name] = read.columns[at++];
        continue;
      }
      const codes = read.columns[at++] as Float64Array;
      const unseen = read.columns[at++] as (string | null)[];
      const categories = s.categories!;
      const strings = new Array<string | null>(read.rows);
      for (let i = 0; i < read.rows; ++i) {
        const k = codes[i];
        strings[i] = k === k ? categories[k] : unseen[i];
      }
      columns[s.name] = strings;
    }
    return {rows: read.rows, columns};
  };
  return {select, decode};
}

/**
 * The DuckDB table function reading a CSV, TSV, Parquet or JSON file. With `text`, CSV and TSV
 * columns are read as text, to be converted to the types a model was trained on (guessing types
 * from a sample reads "inf" as a date, say).
 */
export function fileReader(path: string, options: {text?: boolean} = {}): string {
  const p = quoteString(path);
  const text = options.text ? ", all_varchar = true" : "";
  if (/\.parquet$/i.test(path)) return `read_parquet(${p})`;
  if (/\.tsv$/i.test(path)) return `read_csv(${p}, header = true, delim = '\t'${text})`;
  if (/\.(nd)?json$/i.test(path)) return `read_json_auto(${p})`;
  return `read_csv(${p}, header = true${text})`;
}
