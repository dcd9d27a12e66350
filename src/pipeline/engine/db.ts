import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance as Instance,
  DuckDBResult,
  DuckDBVector
} from "@duckdb/node-api";
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

/** Columns a query read (Db.columns): DOUBLE ones as numbers (NaN for NULL), VARCHAR ones as strings. */
export interface ColumnsOf {
  rows: number;
  columns: (Float64Array | (string | null)[])[];
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
  /**
   * Every column of a query in one pass: DOUBLE columns as Float64Array (NULL as NaN), VARCHAR
   * columns as strings (null for NULL). The query casts its columns to one of the two.
   */
  columns(sql: string): Promise<ColumnsOf>;
  /**
   * As `columns`, streamed: batches of about `rows` rows (whole chunks), in the query's order,
   * holding one batch at a time. Other queries go to another connection while it runs.
   */
  columnBatches(sql: string, rows: number): AsyncGenerator<ColumnsOf>;
  /**
   * Appends rows [from, to) of the given columns to table `name` (of as many DOUBLE columns, in
   * order): typed arrays go in chunk by chunk, no value at a time through SQL.
   */
  appendNumbers(name: string, columns: readonly Float64Array[], from: number, to: number): Promise<void>;
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
 * What files a database may touch. SQL from a config (`clean.filter`, `clean.derive`, `data.sql`)
 * and from a model bundle runs on a database opened with one: DuckDB's external access is off
 * (no other file read or written, no ATTACH, INSTALL or LOAD of a file), these paths are the
 * exceptions, and the configuration is locked so no statement can turn it back on.
 */
export interface FileAccess {
  /** Folders read and written below (the store, a scratch folder). */
  directories?: readonly string[];
  /** Single files read or written (a run's data files, a prediction's input and output). */
  files?: readonly string[];
  /** Where DuckDB spills past its memory (inside one of `directories`). */
  spill?: string;
  /** DuckDB's memory limit ("512MB"); default: DuckDB's own (80% of RAM). */
  memory?: string;
  /** Threads; default: defaultThreads(). */
  threads?: number;
}

/**
 * DuckDB runs on as many threads as fits do (defaultThreads): every core, or a sweep worker's
 * share of them, so parallel jobs do not each spread over all cores. Without `access` the
 * database reaches every file: only for tools and tests that run no SQL from a config or bundle.
 */
export async function openDb(access?: FileAccess): Promise<Db> {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: String(access?.threads ?? defaultThreads()),
    // DuckDB's allocator keeps memory a query freed (~150 MB after reading flights' 2.4M training
    // rows) until a background thread returns it: without one it stays while the model trains.
    allocator_background_threads: "true"
  });
  const connection = await instance.connect();
  if (access) {
    const list = (paths: readonly string[] = []) => `[${paths.map(quoteString).join(", ")}]`;
    const settings = [
      ...(access.spill ? [`SET temp_directory = ${quoteString(access.spill)}`] : []),
      ...(access.memory ? [`SET memory_limit = ${quoteString(access.memory)}`] : []),
      // A folder is allowed as a prefix: with its trailing slash, so /a/store does not allow /a/store2.
      `SET allowed_directories = ${list((access.directories ?? []).map((d) => (d.endsWith("/") ? d : `${d}/`)))}`,
      `SET allowed_paths = ${list(access.files)}`,
      "SET enable_external_access = false",
      "SET lock_configuration = true"
    ];
    for (const sql of settings) await connection.run(sql);
  }
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

  async columns(sql: string): Promise<ColumnsOf> {
    // Materialized: its chunks are read without a round trip each (~0.3 ms, more than the copy).
    const result = await this.connection.run(sql);
    const chunks = Array.from({length: result.chunkCount}, (_, i) => result.getChunk(i));
    let out: ColumnsOf | undefined;
    for await (const batch of readBatches(result, Infinity, chunks)) out = batch;
    return out ?? {rows: 0, columns: emptyColumns(result)};
  }

  async *columnBatches(sql: string, rows: number): AsyncGenerator<ColumnsOf> {
    yield* readBatches(await this.connection.stream(sql), rows);
  }

  async appendNumbers(
    name: string,
    columns: readonly Float64Array[],
    from: number,
    to: number
  ): Promise<void> {
    const appender = await this.connection.createAppender(name);
    try {
      const types = columns.map(() => duckdb.DOUBLE);
      const size = 2048;
      for (let start = from; start < to; start += size) {
        const n = Math.min(size, to - start);
        const chunk = duckdb.DuckDBDataChunk.create(types, n);
        columns.forEach((c, j) => {
          const values = c.subarray(start, start + n);
          const vector = chunk.getColumnVector(j) as unknown as {items?: unknown; flush(): void};
          // A DOUBLE vector's items are a Float64Array over the chunk: copy in at once, then flush.
          if (vector.items instanceof Float64Array && vector.items.length === n) {
            vector.items.set(values);
            vector.flush();
          } else chunk.setColumnValues(j, Array.from(values));
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
    // Straight into one array of the result's size: no copy per 2,048-row chunk, no concatenation.
    const out = new Float64Array(result.rowCount);
    let at = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      doublesInto(chunk.getColumnVector(0), chunk.rowCount, out, at);
      at += chunk.rowCount;
    }
    return at === out.length ? out : out.slice(0, at);
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
  const out = new Float64Array(rowCount);
  doublesInto(vector, rowCount, out, 0);
  return out;
}

/** A vector's doubles written to `out` from `at` (NULL as NaN). */
function doublesInto(vector: DuckDBVector, rowCount: number, out: Float64Array, at: number): void {
  // A DOUBLE vector keeps its values in a Float64Array over DuckDB's chunk memory: copy it at once.
  const items = (vector as unknown as {items?: unknown}).items;
  if (items instanceof Float64Array && items.length === rowCount) {
    out.set(items, at);
    return;
  }
  for (let i = 0; i < rowCount; ++i) {
    const v = vector.getItem(i);
    out[at + i] = v === null ? NaN : (v as number);
  }
}

/** A result's chunks gathered into batches of at least `rows` rows (the last may have fewer). */
async function* readBatches(
  result: DuckDBResult,
  rows: number,
  chunks?: readonly DuckDBDataChunk[]
): AsyncGenerator<ColumnsOf> {
  const count = result.columnCount;
  const text = Array.from({length: count}, (_, j) => {
    const id = result.columnType(j).typeId;
    if (id !== duckdb.DuckDBTypeId.DOUBLE && id !== duckdb.DuckDBTypeId.VARCHAR)
      throw new Error(`columns(): column ${j} is ${result.columnType(j).toString()}, not DOUBLE or VARCHAR`);
    return id === duckdb.DuckDBTypeId.VARCHAR;
  });
  let parts: (Float64Array | (string | null)[])[][] = text.map(() => []);
  let have = 0;
  const gather = (): ColumnsOf => {
    const columns = parts.map((p, j) =>
      text[j] ? joinTexts(p as (string | null)[][], have) : concat(p as Float64Array[], have)
    );
    const out = {rows: have, columns};
    parts = text.map(() => []);
    have = 0;
    return out;
  };
  let next = 0;
  const fetch = async () => (chunks ? (chunks[next++] ?? null) : result.fetchChunk());
  for (let chunk = await fetch(); chunk && chunk.rowCount > 0; chunk = await fetch()) {
    for (let j = 0; j < count; ++j) {
      const vector = chunk.getColumnVector(j);
      if (!text[j]) parts[j].push(withNaN(vector, doubles(vector, chunk.rowCount)));
      else parts[j].push(texts(vector, chunk.rowCount));
    }
    have += chunk.rowCount;
    if (have >= rows) yield gather();
  }
  if (have > 0) yield gather();
}

/**
 * A vector's validity mask, one bit a row, as 32-bit words (little-endian, as every platform
 * DuckDB ships for: no BigInt a row); null when the vector has no NULL; undefined when the
 * vector does not expose its mask (then ask getItem).
 */
function validityWords(vector: DuckDBVector): Uint32Array | null | undefined {
  const mask = (vector as unknown as {validity?: {data?: BigUint64Array | null}}).validity?.data;
  if (mask === null) return null;
  return mask instanceof BigUint64Array
    ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length * 2)
    : undefined;
}

/** A VARCHAR vector's strings (null for NULL), reading only the valid ones. */
function texts(vector: DuckDBVector, rows: number): (string | null)[] {
  const out = new Array<string | null>(rows).fill(null);
  const words = validityWords(vector);
  if (!words) {
    for (let i = 0; i < rows; ++i) out[i] = vector.getItem(i) as string | null;
    return out;
  }
  for (let w = 0; w * 32 < rows; ++w) {
    // A column mostly NULL (a category's unseen values) skips 32 rows a word.
    if (words[w] === 0) continue;
    for (let i = w * 32; i < Math.min(rows, w * 32 + 32); ++i)
      if ((words[w] >>> (i & 31)) & 1) out[i] = vector.getItem(i) as string | null;
  }
  return out;
}

function joinTexts(parts: (string | null)[][], rows: number): (string | null)[] {
  if (parts.length === 1) return parts[0];
  const out = new Array<string | null>(rows);
  let at = 0;
  for (const p of parts) for (let i = 0; i < p.length; ++i) out[at++] = p[i];
  return out;
}

function emptyColumns(result: DuckDBResult): ColumnsOf["columns"] {
  return Array.from({length: result.columnCount}, (_, j) =>
    result.columnType(j).typeId === duckdb.DuckDBTypeId.VARCHAR ? [] : new Float64Array(0)
  );
}

/** `values` (a DOUBLE vector's) with NaN where the vector holds NULL (whatever lies under it). */
function withNaN(vector: DuckDBVector, values: Float64Array): Float64Array {
  const words = validityWords(vector);
  if (words === null) return values;
  if (!words) {
    for (let i = 0; i < values.length; ++i) if (vector.getItem(i) === null) values[i] = NaN;
    return values;
  }
  for (let i = 0; i < values.length; ++i) if (((words[i >>> 5] >>> (i & 31)) & 1) === 0) values[i] = NaN;
  return values;
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
