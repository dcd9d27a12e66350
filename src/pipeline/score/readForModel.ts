import type {SignatureColumn} from "../ml/bundle.ts";
import type {Db} from "../engine/db.ts";
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
  const columns: Record<string, Column> = {};
  let rows = 0;
  for (const s of signature) {
    const c = quoteIdent(s.name);
    if (s.kind === "numeric") {
      columns[s.name] = await db.numbers(`SELECT TRY_CAST(${c} AS DOUBLE) FROM ${relation}`);
    } else {
      if (s.categories && s.categories.length > 512) {
        const {codes, values} = await db.categories(`SELECT ${c} FROM ${relation}`, s.name);
        columns[s.name] = Array.from(codes, (k) => (k < 0 ? null : values[k]));
        rows = codes.length;
        continue;
      }
      const dictionary = (
        await db.rows<{v: string}>(
          `SELECT DISTINCT CAST(${c} AS VARCHAR) AS v FROM ${relation} WHERE ${c} IS NOT NULL ORDER BY v`
        )
      ).map((r) => r.v);
      const list = `[${dictionary.map(quoteString).join(", ")}]::VARCHAR[]`;
      const codes = await db.numbers(
        `SELECT coalesce(list_position(${list}, CAST(${c} AS VARCHAR)), 0) - 1 FROM ${relation}`
      );
      const strings: (string | null)[] = new Array(codes.length);
      for (let i = 0; i < codes.length; ++i) strings[i] = codes[i] < 0 ? null : dictionary[codes[i]];
      columns[s.name] = strings;
    }
    rows = columns[s.name].length;
  }
  return {rows, columns};
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
