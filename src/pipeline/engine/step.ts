import type {z} from "zod";
import type {Db} from "./db.ts";

/**
 * What a step may touch: a SQL engine holding its input tables, a logger and a progress callback.
 * Nothing here knows of the store, the cache, files or the CLI — tests pass an in-memory Db.
 */
export interface StepContext {
  db: Db;
  log(message: string): void;
  progress(done: number, total: number): void;
}

/**
 * Inputs by upstream step, then by output name: a table is the name of a relation (view) in
 * `ctx.db`, a JSON output is the parsed value.
 */
export type StepInputs = Record<string, Record<string, unknown>>;

/** The relation holding upstream `step`'s table `name`. */
export function tableInput(inputs: StepInputs, step: string, name: string): string {
  const relation = inputs[step]?.[name];
  if (typeof relation !== "string") throw new Error(`missing table input ${step}.${name}`);
  return relation;
}

/** Where an upstream's outputs (StepInputs[role]) name the numbered views of its tables. */
export const NUMBERED = "#numbered";

/**
 * Upstream `step`'s table `name` with one more column, `__row`: each row's place in input order.
 * The runner gives a view numbered by the parquet reader (`file_row_number`, nearly free); else
 * rows are numbered by `row_number() OVER ()` over a scan, which costs a pass of its own.
 */
export function numberedTableInput(inputs: StepInputs, step: string, name: string): string {
  const numbered = (inputs[step]?.[NUMBERED] as Record<string, string> | undefined)?.[name];
  return numbered ?? `(SELECT *, row_number() OVER () AS __row FROM ${tableInput(inputs, step, name)})`;
}

/** The stored path of upstream `step`'s raw file output (the only one it has). */
export function fileInput(inputs: StepInputs, step: string): string {
  const files = inputs[step]?.files;
  const first = Array.isArray(files) ? files[0] : undefined;
  if (typeof first !== "string") throw new Error(`missing file input from ${step}`);
  return first;
}

/** Upstream `step`'s JSON output `name`. */
export function jsonInput<T>(inputs: StepInputs, step: string, name: string): T {
  const value = inputs[step]?.[name];
  if (value === undefined) throw new Error(`missing JSON input ${step}.${name}`);
  return value as T;
}

/**
 * What a step returns: tables as SQL over its inputs (the runner materialises them as Parquet),
 * JSON documents (models, metrics, reports), and optional notes shown on the run.
 */
export interface StepOutput {
  tables?: Record<string, string>;
  json?: Record<string, unknown>;
  /** Raw files (a downloaded data file): downstream steps get their stored paths. */
  files?: Record<string, Uint8Array>;
}

export interface Step<P = unknown> {
  name: string;
  /** Names of upstream steps whose outputs this step reads, in order. */
  inputs: readonly string[];
  /** Params schema with defaults: errors name the config key, value and expectation. */
  params: z.ZodType<P>;
  /** The module that defines the step: its source (and what it imports) is part of the key. */
  module: string;
  run(inputs: StepInputs, params: P, ctx: StepContext): Promise<StepOutput>;
}

export function defineStep<P>(step: Step<P>): Step<P> {
  return step;
}
