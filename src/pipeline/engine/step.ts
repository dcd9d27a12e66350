import type {z} from "zod";
import type {Db} from "./db.ts";

/**
 * The step contract. A step — built in or the user's — is a plain function with a description of
 * itself: its params schema, the inputs it reads and the outputs it writes (with their artifact
 * names and types), the config sections it owns and how config becomes its params. The engine
 * builds the graph by asking each step; it names none of them.
 */

/** What an output holds: a table (stored as Parquet), a JSON document, or a raw file. */
export type OutputKind = "table" | "json" | "file";

export interface OutputSpec {
  kind: OutputKind;
  /** Its artifact name in tracking (`clean_data`); default `<step>_<output>`. `artifacts:` in a config renames it. */
  artifact?: string;
  /** Its artifact type: dataset, model, metrics, report …; default dataset for tables, json otherwise. */
  type?: string;
  description?: string;
  /** Produced only by some configurations (a validation split). Default false. */
  optional?: boolean;
}

export interface InputSpec {
  kind: OutputKind;
  /** The step runs without it when the pipeline binds nothing to it. Default false. */
  optional?: boolean;
  description?: string;
}

/** Transient failures (network, a busy database) are retried; bad input never is. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Seconds before the first retry; doubled before each next one. */
  backoff: number;
}

/**
 * What a step may touch: a SQL engine holding its input tables, a logger and a progress callback.
 * Nothing here knows of the store, the cache, files or the CLI — tests pass an in-memory Db.
 */
export interface StepContext {
  db: Db;
  log(message: string): void;
  progress(done: number, total: number): void;
  /**
   * A table input with one more column, `__row`: each row's place in input order. The runner's
   * stored inputs are numbered by the Parquet reader (nearly free); another relation is numbered
   * by `row_number() OVER ()`, which costs a pass of its own.
   */
  numbered(relation: string): string;
}

/** A table output: SQL over the inputs (the runner materialises it), or rows as plain objects. */
export type TableValue = string | readonly Record<string, unknown>[];
/** A file output: bytes or text, optionally with the extension to store it under. */
export type FileValue = Uint8Array | string | {data: Uint8Array | string; extension: string};

/** What `run` receives for each input role: a relation name for a table, the value for JSON, a path for a file. */
export type InputValues<S extends Readonly<Record<string, InputSpec>>> = {
  [K in keyof S]: S[K] extends {optional: true}
    ? InputValue<S[K]["kind"]> | undefined
    : InputValue<S[K]["kind"]>;
};
type InputValue<K extends OutputKind> = K extends "json" ? unknown : string;

/** What `run` returns: one value per declared output. */
export type OutputValues<S extends Readonly<Record<string, OutputSpec>>> = {
  [K in keyof S as S[K] extends {optional: true} ? never : K]: OutputValue<S[K]["kind"]>;
} & {
  [K in keyof S as S[K] extends {optional: true} ? K : never]?: OutputValue<S[K]["kind"]>;
};
type OutputValue<K extends OutputKind> = K extends "table"
  ? TableValue
  : K extends "file"
    ? FileValue
    : unknown;

/** The pipeline config as the engine sees it: its own keys, and each step's section. */
export interface Config {
  name: string;
  [section: string]: unknown;
}

/** One node of the graph as a step's `configure` describes it. */
export interface StepPlan {
  /** Params as the step function receives them (validated by the step's schema before it runs). */
  params: unknown;
  /**
   * The config keys, nested as in the config, whose values affect the output: they enter the key,
   * and a stale step names the one that changed. Worker counts and paths stay out.
   */
  identity?: Record<string, unknown>;
  /** Data files whose content (never path or mtime) enters the key: the only files outside the store its SQL may read. */
  sources?: readonly string[];
  /** Input role → `step.output` (or `step`, when it has one output of the kind). Default: see buildGraph. */
  inputs?: Readonly<Record<string, string>>;
  /** What the data this node reads from outside is called in error messages (`data.csv`). */
  label?: string;
}

/** What a step's `configure` and `validate` may ask of the pipeline being built. */
export interface ConfigureEnv {
  /** Folder of the config file: relative paths in it resolve against this. */
  base: string;
  /** A data path as `data.source` takes it: relative to the config, absolute, or a package path. */
  resolveSource(source: string): string;
  /** A workspace module the step named in `modules` (loaded before any step is configured). */
  module(path: string): WorkspaceModule;
  /** An artifact reference the step named in `references`, resolved to its stored file (undefined until a run resolves it). */
  artifact(ref: string): ResolvedArtifact | undefined;
}

/** A TypeScript or JavaScript module of the user's workspace, loaded and digested. */
export interface WorkspaceModule {
  /** Absolute path. */
  path: string;
  /** The path as the config writes it, relative to the config's folder. */
  shown: string;
  /** The config's folder: the module's files are named relative to it in messages and digests. */
  base: string;
  /** Digest of its source and every local module it imports: enters the key of a step using it. */
  digest: string;
  /** The local files it is made of (its own and what it imports). */
  files: readonly string[];
  exports: Record<string, unknown>;
}

/** A recorded artifact version, as a run hook resolves a reference (`clean_data:v3`, `model@champion`). */
export interface ArtifactVersion {
  ref: string;
  name: string;
  version: number;
  type: string;
  step: string;
  output: string;
  key: string;
}

/** An artifact reference resolved to its stored file, for a step's configure. */
export interface ResolvedArtifact extends ArtifactVersion {
  /** The stored file of that output. */
  file: string;
}

/** A problem `validate` found, at a config path: reported with the file, line and key. */
export interface ConfigIssue {
  path: PropertyKey[];
  message: string;
}

export interface Step<P = unknown> {
  /**
   * Unique in a pipeline: names its store folder and its rows in runs. A workspace step is named by
   * its key under `steps:` in the config, so one module can serve as two steps.
   */
  name?: string;
  description?: string;
  /**
   * The module that defines the step (`import.meta.url`): its source and local imports enter the
   * key. Set by the loader for a workspace step.
   */
  module?: string;
  /** Params schema with defaults: errors name the config key, value and expectation. */
  params: z.ZodType<P>;
  inputs: Readonly<Record<string, InputSpec>>;
  outputs: Readonly<Record<string, OutputSpec>>;
  /** How transient failures are retried (never part of the key); `retries:` in a config overrides. */
  retries?: RetryPolicy;
  /**
   * Whether the step is replayed when a trained model scores new rows (a row-wise feature step);
   * a step that fits, aggregates or reads other rows is not.
   */
  replay?: boolean;
  /**
   * Runs only after every other step of the run has finished (nothing registers while a check may
   * still fail); in a sweep it runs once, for the selected job.
   */
  final?: boolean;
  /** Config sections this step owns, with their schemas: the pipeline's schema is assembled from them. */
  sections?: Readonly<Record<string, z.ZodType>>;
  /**
   * Workspace modules the config names for this step (a model module), relative to the config, with
   * the config key that names each: loaded with the config, their digests enter the step's key.
   */
  modules?(config: Config): {path: string; key: (string | number)[]}[];
  /** Overriding the first key with another value drops the second from the file (`model.type` → `model.params`), as switching a Hydra config group does. */
  switches?: Readonly<Record<string, string>>;
  /** Artifact references the config gives this step (a drift reference): resolved before configure. */
  references?(config: Config): string[];
  /** Rules across sections, on the validated config; may read modules named in `modules`. */
  validate?(config: Config, env: ConfigureEnv): ConfigIssue[];
  /**
   * How config becomes this step's node; null when the pipeline has no such step. A workspace
   * step has none: its entry under `steps:` places it (`after`, `inputs`) and gives its params.
   */
  configure?(config: Config, env: ConfigureEnv): StepPlan | null;
  run(inputs: Record<string, unknown>, params: P, ctx: StepContext): Promise<Record<string, unknown>>;
}

/**
 * Declares a step. The types of `run`'s inputs and outputs follow from the declared specs: a table
 * input arrives as the name of a relation in `ctx.db`, a JSON input as its value, a file as a path.
 */
export function defineStep<
  P,
  const I extends Readonly<Record<string, InputSpec>>,
  const O extends Readonly<Record<string, OutputSpec>>
>(
  step: Omit<Step<P>, "inputs" | "outputs" | "run"> & {
    inputs: I;
    outputs: O;
    run(inputs: InputValues<I>, params: P, ctx: StepContext): Promise<OutputValues<O>>;
  }
): Step<P> {
  return step as unknown as Step<P>;
}
