import type {Db} from "./db.ts";

/**
 * A query's rows as plain values: 64-bit integers (which DuckDB's JSON rows give as text, to keep
 * every digit) become numbers when they fit one exactly, as a test would write them.
 */
export async function plainRows(db: Db, sql: string): Promise<Record<string, unknown>[]> {
  const columns = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM (${sql})`
  );
  const wide = columns.filter((c) => /^U?(BIG|HUGE)INT$/.test(c.column_type)).map((c) => c.column_name);
  const rows = await db.rows(sql);
  for (const row of rows) {
    for (const name of wide) {
      const v = row[name];
      if (typeof v === "string" && Number.isSafeInteger(Number(v))) row[name] = Number(v);
    }
  }
  return rows;
}
