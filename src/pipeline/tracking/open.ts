import {mkdir} from "node:fs/promises";
import {dirname} from "node:path";
import {createRequire} from "node:module";
import type {DuckDBConnection, DuckDBInstance as Instance, DuckDBValue} from "@duckdb/node-api";
import {MlbookError, TransientError} from "../errors.ts";
import {migrate} from "./schema.ts";
import type {SqlValue, TrackingTx} from "./trackingTx.ts";

// Loaded with require, not import: importing this CommonJS package as ESM has Node scan each of
// its files for exports, which more than doubles its load time, paid by every `mlbook run`. And
// loaded on the first open, not with this module, so importing tracking code costs no DuckDB.
const duckdb = () => createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");

export interface OpenOptions {
  /** Give up after this long waiting for another process's lock (default 60 s). */
  timeoutMs?: number;
}

/** One chain per file: DuckDB's file lock is per process, so writers in one process queue here. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Opens the tracking database, runs `fn` in one transaction, commits and closes. DuckDB allows one
 * process to hold a database file, so the file is held only for the transaction and a lock held by
 * another process is waited out with jittered backoff: concurrent runs queue, none crashes.
 */
export function withTracking<T>(
  path: string,
  fn: (tx: TrackingTx) => Promise<T>,
  options: OpenOptions = {}
): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => transact(path, fn, options));
  queues.set(path, next);
  void next.finally(() => queues.get(path) === next && queues.delete(path)).catch(() => undefined);
  return next;
}

async function transact<T>(
  path: string,
  fn: (tx: TrackingTx) => Promise<T>,
  options: OpenOptions
): Promise<T> {
  const instance = await openWithRetry(path, options.timeoutMs ?? 60_000);
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const tx = wrap(connection);
    await migrate(tx);
    await connection.run("BEGIN TRANSACTION");
    try {
      const result = await fn(tx);
      await connection.run("COMMIT");
      return result;
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}

async function openWithRetry(path: string, timeoutMs: number): Promise<Instance> {
  await mkdir(dirname(path), {recursive: true});
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; ++attempt) {
    try {
      return await duckdb().DuckDBInstance.create(path, {threads: "1"});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isLockError(message))
        throw new MlbookError(
          `tracking database ${path} cannot be opened (${message.split("\n")[0]}): \`mlbook tracking rebuild\` makes it again from the history beside it`,
          1,
          {cause: error}
        );
      if (Date.now() > deadline)
        throw new TransientError(
          `tracking database ${path} stayed locked for ${timeoutMs / 1000} s: ${message}`
        );
      const backoff = Math.min(1000, 10 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * backoff));
    }
  }
}

export function isLockError(message: string): boolean {
  return /could not set lock|conflicting lock|database is locked/i.test(message);
}

function wrap(connection: DuckDBConnection): TrackingTx {
  const bind = (values?: readonly SqlValue[]) => (values?.length ? (values as DuckDBValue[]) : undefined);
  return {
    async run(sql, values) {
      await connection.run(sql, bind(values));
    },
    async rows<T>(sql: string, values?: readonly SqlValue[]) {
      const reader = await connection.runAndReadAll(sql, bind(values));
      return reader.getRowObjectsJson() as T[];
    }
  };
}
