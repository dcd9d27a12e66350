/** Numbers as Float64Array (NaN = missing); text as strings (null = missing). */
export type Column = Float64Array | (string | null)[];

/** A column-major table in memory: what the fitted transforms and estimators consume. */
export interface Table {
  rows: number;
  columns: Record<string, Column>;
  /**
   * The distinct non-null values of each categorical column, as readTable found them in DuckDB
   * (so they need not be found again over millions of JS strings). Only on a table read whole:
   * a table of some of its rows is built without them.
   */
  categories?: Readonly<Record<string, readonly string[]>>;
}

export interface ColumnInfo {
  name: string;
  /** DuckDB's type name. */
  type: string;
  kind: "numeric" | "categorical" | "other";
}
