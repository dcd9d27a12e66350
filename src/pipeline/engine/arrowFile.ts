import {readFile} from "node:fs/promises";
import {DataType, tableFromIPC, type Field, type Vector} from "apache-arrow";
import type {Db, JsColumn} from "./db.ts";
import {DataError} from "../errors.ts";

/**
 * Loads an Arrow IPC file (file or stream format: .arrow, .arrows, .feather v2, .ipc) into a temp
 * table of `db`'s connection, as DuckDB has no Arrow reader of its own without an extension.
 * Numbers, integers, booleans, text (dictionary-encoded too), dates and timestamps (to the
 * millisecond) keep their types; other types arrive as text.
 */
export async function loadArrowFile(db: Db, path: string, table: string): Promise<void> {
  let parsed: ReturnType<typeof tableFromIPC>;
  try {
    parsed = tableFromIPC(await readFile(path));
  } catch (error) {
    throw new DataError(
      `${path}: not an Arrow IPC file (${error instanceof Error ? error.message.split("\n")[0] : error})`
    );
  }
  if (!parsed.schema.fields.length) throw new DataError(`${path}: the Arrow file has no columns`);
  const columns = parsed.schema.fields.map((field, i) => column(field, parsed.getChildAt(i)!));
  await db.createTable(table, columns, parsed.numRows);
}

function column(field: Field, vector: Vector): JsColumn {
  const t = field.type;
  const get = (i: number) => vector.get(i) as unknown;
  const name = field.name;
  if (DataType.isFloat(t) || DataType.isDecimal(t)) return {name, type: "DOUBLE", get};
  if (DataType.isInt(t)) return {name, type: "BIGINT", get};
  if (DataType.isBool(t)) return {name, type: "BOOLEAN", get};
  if (DataType.isDate(t)) return {name, type: "DATE", get};
  if (DataType.isTimestamp(t)) return {name, type: "TIMESTAMP", get};
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isDictionary(t))
    return {name, type: "VARCHAR", get};
  return {name, type: "VARCHAR", get: (i) => (vector.get(i) === null ? null : String(vector.get(i)))};
}
