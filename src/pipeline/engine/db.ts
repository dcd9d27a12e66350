import type {DuckDBConnection, DuckDBInstance as Instance, DuckDBVector} from "@duckdb/node-api";
import {createRequire} from "node:module";
import {defaultThreads} from "../ml/threads/defaultThreads.ts";
import {quoteIdent, quoteString} from "./sql.ts";

// Loaded with require, not import (as in tracking/open.ts): importing this CommonJS package as ESM
// has Node scan each of its files for exports, which costs more than loading it.
const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");
const {DuckDBInstance} = duckdb;

/** A column handed to DuckDB from JS (a format DuckDB cannot read itself, like Arrow IPC). */
export interface JsColumn {
  name: string;
  /** DATE and TIMESTAMP values are epoch milliseconds; BIGINT values bigint or number. */
  type: "DOUBLE" | "BIGINT" | "BOOLEAN" | "VARCHAR" | "DATE" | "TIMESTAMP";
  /** The value of row i, null for a missing one. */
  get(i: number): unknown;
}

/**
 * The SQL engine every data step runs on. Steps get a `Db` and return SQL; they never see files.
 * Reading into JS goes column by column into typed arrays, never through row objects: at millions
 * of rows row objects cost seconds and gigabytes.
 */
export interface Db {
  run(sql: string): Promise<void>;
  /** Small results (schemas, counts, summaries) as row objects. */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** One numeric column of a query as Float64Array, NULL as NaN. */
  numbers(sql: string): Promise<Float64Array>;
  /** One text column, dictionary encoded: codes (−1 for NULL) and the sorted distinct values. */
  categories(sql: string, column: string): Promise<{codes: Int32Array; values: string[]}>;
  /**
   * A query parsed and planned once, run many times: what a server scoring a few rows per request
   * needs (each query round trip costs ~0.5 ms; planning a deep view chain several more).
   */
  prepare(sql: string): Promise<Prepared>;
  /** Creates temp table `name` (this connection's own) holding `rows` rows of the given columns. */
  createTable(name: string, columns: readonly JsColumn[], rows: number): Promise<void>;
  /** Another connection to the same database, for a step running beside others; close it after. */
  connect(): Promise<Db>;
  /** Closes this connection (and the database, for the one `openDb` returned). */
  close(): void;
}

/**
 * A prepared query's parameters, `$1` on: a list of texts binds as VARCHAR[] (null for a missing
 * value), a number as BIGINT.
 */
export type PreparedParam = readonly (string | null)[] | number;

export interface Prepared {
  rows<T = Record<string, unknown>>(params: readonly PreparedParam[]): Promise<T[]>;
}

/**
 * DuckDB runs on as many threads as fits do (defaultThreads): every core, or a sweep worker's
 * share of them, so parallel jobs do not each spread over all cores.
 */
export async function openDb(path = ":memory:"): Promise<Db> {
  const instance = await DuckDBInstance.create(path, {threads: String(defaultThreads())});
  const connection = await instance.connect();
  return new DuckDb(instance, connection);
}

class DuckDb implements Db {
  constructor(
    private readonly instance: Instance,
    private readonly connection: DuckDBConnection,
    private readonly ownsInstance = true
  ) {}

  async createTable(name: string, columns: readonly JsColumn[], rows: number): Promise<void> {
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
    await this.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} (${defs})`);
    const types = columns.map((c) => duckdb[c.type]);
    const convert = columns.map((c): ((v: unknown) => unknown) => {
      switch (c.type) {
        case "DOUBLE":
          return (v) => Number(v);
        case "BIGINT":
          return (v) => BigInt(v as number | bigint);
        case "BOOLEAN":
          return (v) => Boolean(v);
        case "VARCHAR":
          return (v) => String(v);
        case "DATE":
          return (v) => duckdb.dateValue(Math.floor(Number(v) / 86_400_000));
        case "TIMESTAMP":
          return (v) => duckdb.timestampValue(BigInt(Math.round(Number(v) * 1000)));
      }
    });
    const appender = await this.connection.createAppender(name, "main", "temp");
    try {
      const size = 2048;
      for (let start = 0; start < rows; start += size) {
        const n = Math.min(size, rows - start);
        const chunk = duckdb.DuckDBDataChunk.create(types, n);
        columns.forEach((c, j) => {
          const values = new Array<unknown>(n);
          for (let i = 0; i < n; ++i) {
            const v = c.get(start + i);
            values[i] = v === null || v === undefined ? null : convert[j](v);
          }
          chunk.setColumnValues(j, values as Parameters<typeof chunk.setColumnValues>[1]);
        });
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async connect(): Promise<Db> {
    return new DuckDb(this.instance, await this.instance.connect(), false);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async prepare(sql: string): Promise<Prepared> {
    const statement = await this.connection.prepare(sql);
    const texts = duckdb.LIST(duckdb.VARCHAR);
    return {
      async rows<T>(params: readonly PreparedParam[]) {
        params.forEach((p, i) => {
          if (typeof p === "number") statement.bindBigInt(i + 1, BigInt(p));
          else statement.bindList(i + 1, duckdb.listValue(p as string[]), texts);
        });
        return (await statement.runAndReadAll()).getRowObjectsJson() as T[];
      }
    };
  }

  async rows<T>(sql: string): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as T[];
  }

  async numbers(sql: string): Promise<Float64Array> {
    // NULL becomes NaN in SQL, so each chunk's doubles can be copied wholesale.
    const result = await this.connection.run(
      `SELECT coalesce(CAST(v AS DOUBLE), 'NaN'::DOUBLE) AS v FROM (${sql}) AS t(v)`
    );
    const chunks: Float64Array[] = [];
    let length = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const values = doubles(chunk.getColumnVector(0), chunk.rowCount);
      chunks.push(values);
      length += values.length;
    }
    return concat(chunks, length);
  }

  async categories(sql: string, column: string): Promise<{codes: Int32Array; values: string[]}> {
    const c = quoteIdent(column);
    const distinct = await this.rows<{v: string}>(
      `SELECT DISTINCT CAST(${c} AS VARCHAR) AS v FROM (${sql}) WHERE ${c} IS NOT NULL ORDER BY v`
    );
    const values = distinct.map((d) => d.v);
    if (!values.length) {
      const [{n}] = await this.rows<{n: number}>(`SELECT count(*)::INTEGER AS n FROM (${sql})`);
      return {codes: new Int32Array(n).fill(-1), values};
    }
    // An ENUM over the sorted values turns each row into its code inside DuckDB, in row order.
    const type = `ENUM(${values.map(quoteString).join(", ")})`;
    const codes = await this.numbers(
      `SELECT coalesce(enum_code(CAST(CAST(${c} AS VARCHAR) AS ${type})), -1) FROM (${sql})`
    );
    return {codes: Int32Array.from(codes), values};
  }

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

function doubles(vector: DuckDBVector, rowCount: number): Float64Array {
  // A DOUBLE vector keeps its values in a Float64Array over DuckDB's chunk memory: copy it at once.
  const items = (vector as unknown as {items?: unknown}).items;
  if (items instanceof Float64Array && items.length === rowCount) return items.slice();
  const out = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; ++i) {
    const v = vector.getItem(i);
    out[i] = v === null ? NaN : (v as number);
  }
  return out;
}

function concat(chunks: Float64Array[], length: number): Float64Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Float64Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
