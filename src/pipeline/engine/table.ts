import type {Db} from "./db.ts";
import {quoteIdent} from "./sql.ts";
import type {Column, ColumnInfo, Table} from "../ml/table.ts";

const numeric =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;
const text = /^(VARCHAR|ENUM.*)$/;

export async function describe(db: Db, relation: string): Promise<ColumnInfo[]> {
  const rows = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM ${relation}`
  );
  return rows.map(({column_name: name, column_type: type}) => ({
    name,
    type,
    kind: numeric.test(type) ? "numeric" : text.test(type) ? "categorical" : "other"
  }));
}

/** Reads the named columns of a relation into typed columns, straight from DuckDB chunks. */
export async function readTable(db: Db, relation: string, columns: readonly ColumnInfo[]): Promise<Table> {
  const out: Record<string, Column> = {};
  const categories: Record<string, readonly string[]> = {};
  let rows = 0;
  for (const column of columns) {
    const q = quoteIdent(column.name);
    if (column.kind === "numeric") {
      out[column.name] = await db.numbers(`SELECT ${q} FROM ${relation}`);
    } else {
      const {codes, values} = await db.categories(`SELECT ${q} FROM ${relation}`, column.name);
      const strings: (string | null)[] = new Array(codes.length);
      for (let i = 0; i < codes.length; ++i) strings[i] = codes[i] < 0 ? null : values[codes[i]];
      out[column.name] = strings;
      categories[column.name] = values;
    }
    rows = out[column.name].length;
  }
  if (!columns.length) {
    const [{n}] = await db.rows<{n: number}>(`SELECT count(*)::INTEGER AS n FROM ${relation}`);
    rows = n;
  }
  return {rows, columns: out, categories};
}
