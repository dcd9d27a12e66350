/** The families a `type` expectation names. */
export const columnKinds = ["numeric", "string", "boolean", "date"] as const;
export type ColumnKind = (typeof columnKinds)[number];

const numeric =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const string = /^(VARCHAR|ENUM.*)$/;
const date = /^(DATE|TIMESTAMP.*)$/;

/** Maps a DuckDB type name to its family; lists, structs, blobs and intervals are "other". */
export function columnKind(type: string): ColumnKind | "other" {
  if (numeric.test(type)) return "numeric";
  if (string.test(type)) return "string";
  if (type === "BOOLEAN") return "boolean";
  if (date.test(type)) return "date";
  return "other";
}
