import {mkdir, readFile, rename, writeFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import {codeDigest} from "./codeDigest.ts";
import type {LoadedConfig} from "./config.ts";
import type {Db} from "./db.ts";
import {quoteIdent, quoteString} from "./sql.ts";
import {DataError, MlbookError, TransientError} from "../errors.ts";
import {buildGraph, stepInputs, upstreamClosure, type Graph, type Node, type RetryPolicy} from "./graph.ts";
import {hashFile, hashValue} from "./hash.ts";
import {headlineMetrics} from "../ml/metrics/headline.ts";
import {newRunId} from "./runId.ts";
import {runDag} from "./schedule.ts";
import {NUMBERED, type StepInputs} from "./step.ts";
import {Store, type Entry} from "./store.ts";
import {bindTracking} from "../tracking/bindTracking.ts";
import {trackingOf} from "../tracking/trackingPath.ts";

/** The parts a step's key is made of, kept so that a later run can say what changed. */
export interface KeyParts {
  step: string;
  code: string;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  data: string[];
}

export interface PlannedStep {
  node: Node;
  key: string;
  parts: KeyParts;
}

export type StepStatus = "fresh" | "ran";

export interface StepRecord {
  name: string;
  status: StepStatus;
  key: string;
  /** Why the step ran (or, for status, why it is stale); null when fresh. */
  reason: string | null;
  durationMs: number;
  rows: Record<string, number>;
  /** How many attempts the step took, when it was retried. */
  attempts?: number;
}

export interface RunResult {
  runId: string;
  pipeline: string;
  configDigest: string;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  /** The evaluate step's full report (per class, confusion matrix …), when it ran. */
  metrics: Record<string, unknown> | null;
  /** Headline metrics as one flat record of numbers (sklearn's metric names). */
  headline: Record<string, number>;
}

export interface RunLogger {
  step(record: StepRecord): void;
  progress(step: string, done: number, total: number): void;
  info(message: string): void;
}

export const silentLogger: RunLogger = {step() {}, progress() {}, info() {}};

export interface RunOptions {
  /** Run only these steps (and whatever they need that the store lacks). */
  steps?: readonly string[];
  /** Folder holding `.mlbook/`; default: the config's folder. */
  root?: string;
  logger?: RunLogger;
  /** Record a run in which every step was fresh (default true; a build's check run passes false). */
  recordFresh?: boolean;
}

/** Where a project keeps its store and state. */
export function storeRoot(loaded: LoadedConfig, root?: string): string {
  return join(root ?? dirname(loaded.path), ".mlbook");
}

/** Computes every step's key (hashing code and data, running nothing). */
/** `pinned` fixes some steps' keys (to recorded artifact versions, see tracking/pins.ts). */
export async function plan(
  graph: Graph,
  pinned: ReadonlyMap<string, string> = new Map()
): Promise<PlannedStep[]> {
  const keys = new Map<string, string>();
  const planned: PlannedStep[] = [];
  for (const node of graph.nodes) {
    const data: string[] = [];
    for (const source of node.sources) {
      data.push(
        await hashFile(source).catch(() => {
          throw new DataError(`data.source: cannot read ${source}`);
        })
      );
    }
    const parts: KeyParts = {
      step: node.step.name,
      code: codeDigest(node.step.module),
      params: node.identity,
      inputs: Object.fromEntries(Object.values(node.inputs).map((up) => [up, keys.get(up)!])),
      data
    };
    const key = pinned.get(node.step.name) ?? hashValue(parts);
    keys.set(node.step.name, key);
    planned.push({node, key, parts});
  }
  return planned;
}

/** Why a step whose entry is not usable must run, compared with what the last run recorded. */
export function staleReason(
  parts: KeyParts,
  previous: KeyParts | undefined,
  lookup: string,
  staleUpstream: ReadonlySet<string> = new Set()
): string {
  if (!previous) return lookup === "missing" ? "missing" : lookup;
  const changed = Object.keys({...parts.params, ...previous.params})
    .filter((k) => JSON.stringify(parts.params[k]) !== JSON.stringify(previous.params[k]))
    .sort();
  if (changed.length) return `param ${changed.join(", ")} changed`;
  if (parts.code !== previous.code) return `code of ${parts.step} changed`;
  if (JSON.stringify(parts.data) !== JSON.stringify(previous.data)) return "data changed";
  // Name the upstream steps that are stale now; an input that changed since the last run but is
  // itself fresh (an earlier entry came back) is named only when nothing else explains it.
  const differing = Object.keys(parts.inputs).filter((i) => parts.inputs[i] !== previous.inputs[i]);
  const upstream = differing.filter((i) => staleUpstream.has(i));
  if (upstream.length || differing.length)
    return `upstream ${(upstream.length ? upstream : differing).join(", ")} changed`;
  return lookup;
}

interface State {
  steps: Record<string, KeyParts & {key: string}>;
}

async function readState(root: string, pipeline: string): Promise<State> {
  try {
    return JSON.parse(await readFile(join(root, "state", `${pipeline}.json`), "utf8")) as State;
  } catch {
    return {steps: {}};
  }
}

async function writeState(root: string, pipeline: string, planned: PlannedStep[]): Promise<void> {
  const state = await readState(root, pipeline);
  for (const p of planned) state.steps[p.node.step.name] = {...p.parts, key: p.key};
  await mkdir(join(root, "state"), {recursive: true});
  const file = join(root, "state", `${pipeline}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}

export interface StatusRecord {
  name: string;
  key: string;
  fresh: boolean;
  reason: string | null;
}

/** Which steps are fresh and which are stale (and why), without running anything. */
export async function pipelineStatus(
  loaded: LoadedConfig,
  options: {root?: string} = {}
): Promise<StatusRecord[]> {
  const root = storeRoot(loaded, options.root);
  const store = new Store(root);
  const graph = buildGraph((await withArtifactReferences(loaded, root)).config, loaded.path);
  const state = await readState(root, graph.name);
  const out: StatusRecord[] = [];
  const stale = new Set<string>();
  for (const p of await plan(graph)) {
    const lookup = await store.lookup(p.node.step.name, p.key);
    const fresh = lookup.status === "ok";
    if (!fresh) stale.add(p.node.step.name);
    const why = lookup.status === "corrupt" ? `entry corrupt (${lookup.reason})` : "missing";
    const reason = fresh ? null : staleReason(p.parts, state.steps[p.node.step.name], why, stale);
    out.push({name: p.node.step.name, key: p.key, fresh, reason});
  }
  return out;
}

/**
 * Runs the pipeline: each step whose key has a valid store entry is fresh and reused; the others
 * run and are written atomically. One in-memory DuckDB carries tables between steps as views over
 * the stored Parquet files.
 */
export async function runPipeline(given: LoadedConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const logger = options.logger ?? silentLogger;
  const root = storeRoot(given, options.root);
  // A store tracked by another database fails here, before anything runs (bindTracking).
  bindTracking(trackingOf(given, root), given.path);
  const loaded = await withArtifactReferences(given, root);
  const store = new Store(root);
  const graph = buildGraph(loaded.config, loaded.path);
  const selected = new Set(
    (options.steps?.length ? upstreamClosure(graph, options.steps) : graph.nodes).map((n) => n.step.name)
  );
  // Pins resolve through the tracking database: DuckDB loads up front only for a run that has them.
  const {pins, needed} = loaded.config.from.length
    ? await (await import("../tracking/pins.ts")).pinSteps(loaded, root, graph, selected)
    : {pins: [], needed: selected};
  const pinned = new Map(pins.map((p) => [p.step, p.key]));
  const planned = (await plan(graph, pinned)).filter((p) => needed.has(p.node.step.name));
  const state = await readState(root, graph.name);
  // DuckDB loads lazily: a run where every step is fresh never needs it, and loading it is most
  // of a fresh run's time. Each running step gets its own connection to the one in-memory
  // database, so independent steps run at once (schedule.ts).
  let db: Promise<Db> | undefined;
  const openOnce = () => (db ??= import("./db.ts").then((m) => m.openDb()));
  const entries = new Map<string, Entry>();
  const records = new Map<string, StepRecord>();
  const ran = new Set<string>();
  const byName = new Map(planned.map((p) => [p.node.step.name, p]));
  const runStep = async (name: string): Promise<void> => {
    const p = byName.get(name)!;
    const t0 = performance.now();
    const lookup = await store.lookup(name, p.key);
    let record: StepRecord;
    if (lookup.status === "ok") {
      entries.set(name, lookup.entry);
      record = {
        name,
        status: "fresh",
        key: p.key,
        reason: null,
        durationMs: performance.now() - t0,
        rows: lookup.entry.manifest.tables
      };
    } else {
      const why = lookup.status === "corrupt" ? `entry corrupt (${lookup.reason})` : "missing";
      const reason = staleReason(p.parts, state.steps[name], why, ran);
      const attempts = {count: 0};
      const connection = await (await openOnce()).connect();
      try {
        const entry = await execute(
          p,
          connection,
          store,
          entries,
          logger,
          loaded.config.data.source ?? "data.sql",
          attempts
        );
        entries.set(name, entry);
        record = {
          name,
          status: "ran",
          key: p.key,
          reason,
          durationMs: performance.now() - t0,
          rows: entry.manifest.tables
        };
      } finally {
        connection.close();
      }
      ran.add(name);
      if (attempts.count > 1) record.attempts = attempts.count;
    }
    records.set(name, record);
    logger.step(record);
  };
  // Records in plan order, whichever step finished first.
  const inOrder = () => planned.flatMap((p) => records.get(p.node.step.name) ?? []);
  try {
    await runDag([...byName.keys()], (name) => Object.values(byName.get(name)!.node.inputs), runStep, {
      last: new Set(["register"])
    });
    await writeState(root, graph.name, planned);
    const evaluation = entries.get("evaluate");
    const metrics = evaluation
      ? (JSON.parse(await readFile(join(evaluation.dir, "metrics.json"), "utf8")) as Record<string, unknown>)
      : null;
    const result: RunResult = {
      runId: newRunId(),
      pipeline: graph.name,
      configDigest: hashValue(given.config),
      startedAt,
      durationMs: performance.now() - started,
      steps: inOrder(),
      metrics,
      headline: metrics ? headlineMetrics(metrics) : {}
    };
    const allFresh = result.steps.every((st) => st.status === "fresh");
    if (options.recordFresh !== false || !allFresh)
      await track(loaded, root, {...result, inputs: stepInputs(graph), pins, error: null}, logger);
    return result;
  } catch (error) {
    const failed = {
      runId: newRunId(),
      configDigest: hashValue(given.config),
      startedAt,
      steps: inOrder(),
      metrics: null,
      headline: {}
    };
    await track(loaded, root, {...failed, inputs: stepInputs(graph), pins, error}, logger);
    throw error;
  } finally {
    if (db) (await db).close();
  }
}

/** Resolves a drift reference given as an artifact (tracking, so DuckDB, loads only then). */
async function withArtifactReferences(loaded: LoadedConfig, root: string): Promise<LoadedConfig> {
  if (!loaded.config.check?.drift?.artifact) return loaded;
  return (await import("../tracking/driftArtifact.ts")).resolveDriftArtifact(loaded, root);
}

/** Records the run in the tracking database; loaded only now, as DuckDB is slow to load. */
async function track(...args: Parameters<typeof import("../tracking/trackRun.ts").trackRun>): Promise<void> {
  await (await import("../tracking/trackRun.ts")).trackRun(...args);
}

async function execute(
  p: PlannedStep,
  db: Db,
  store: Store,
  entries: Map<string, Entry>,
  logger: RunLogger,
  dataLabel: string,
  attempts: {count: number} = {count: 0}
): Promise<Entry> {
  const {step, params} = p.node;
  const inputs: StepInputs = {};
  for (const [role, upstream] of Object.entries(p.node.inputs)) {
    const entry = entries.get(upstream)!;
    const outputs = await tableViews(db, upstream, entry.dir, Object.keys(entry.manifest.tables));
    for (const name of entry.manifest.json)
      outputs[name] = JSON.parse(await readFile(join(entry.dir, `${name}.json`), "utf8"));
    if (entry.manifest.raw?.length) outputs.files = entry.manifest.raw.map((name) => join(entry.dir, name));
    inputs[role] = outputs;
  }
  const t0 = performance.now();
  const tmp = await store.scratch();
  try {
    const parsed = step.params.parse(params);
    const ctx = {
      db,
      log: (message: string) => logger.info(`${step.name}: ${message}`),
      progress: (done: number, total: number) => logger.progress(step.name, done, total)
    };
    const output = await withRetries(
      () => step.run(inputs, parsed, ctx),
      p.node.retries,
      (attempt, delay, error) => {
        logger.info(
          `${step.name}: attempt ${attempt} failed (${error.message}); retrying in ${delay.toFixed(1)} s`
        );
      },
      attempts
    );
    for (const [name, bytes] of Object.entries(output.files ?? {})) await writeFile(join(tmp, name), bytes);
    const tables: Record<string, number> = {};
    for (const [name, sql] of Object.entries(output.tables ?? {})) {
      const file = join(tmp, `${name}.parquet`);
      await db.run(`COPY (${sql}) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
      const [{n}] = await db.rows<{n: number}>(
        `SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteString(file)})`
      );
      tables[name] = Number(n);
    }
    for (const [name, value] of Object.entries(output.json ?? {})) {
      await writeFile(join(tmp, `${name}.json`), JSON.stringify(value));
    }
    return await store.commit(tmp, {
      step: step.name,
      key: p.key,
      tables,
      json: Object.keys(output.json ?? {}),
      raw: Object.keys(output.files ?? {}),
      durationMs: performance.now() - t0,
      createdAt: new Date().toISOString()
    });
  } catch (error) {
    await store.abandon(tmp);
    // Bad data names the data file too: the step itself only knows its columns.
    if (error instanceof DataError) throw new DataError(`${step.name} (${dataLabel}): ${error.message}`);
    if (error instanceof MlbookError) throw error;
    throw new MlbookError(
      `step ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}

/**
 * Runs `fn`, retrying transient failures (network, a busy database) with exponential backoff;
 * bad input (any other error) fails at once.
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (attempt: number, delaySeconds: number, error: Error) => void,
  attempts: {count: number} = {count: 0}
): Promise<T> {
  for (;;) {
    attempts.count += 1;
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof TransientError) || attempts.count >= policy.attempts) throw error;
      const delay = policy.backoff * 2 ** (attempts.count - 1);
      onRetry(attempts.count, delay, error);
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
  }
}

/**
 * A step's view of an upstream entry's tables: a TEMP VIEW `<upstream>__<table>` over each stored
 * parquet file, and under NUMBERED the same rows with `__row`, their place in the file (the
 * reader's file_row_number), for steps that must keep input order (see numberedTableInput).
 */
export async function tableViews(
  db: Db,
  upstream: string,
  dir: string,
  tables: readonly string[]
): Promise<Record<string, unknown>> {
  const outputs: Record<string, unknown> = {};
  const numbered: Record<string, string> = {};
  for (const table of tables) {
    const view = `${upstream}__${table}`;
    const file = quoteString(join(dir, `${table}.parquet`));
    await db.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS SELECT * FROM read_parquet(${file})`);
    await db.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteIdent(`${view}__numbered`)} AS SELECT * EXCLUDE (file_row_number), ` +
        `file_row_number AS __row FROM read_parquet(${file}, file_row_number = true)`
    );
    outputs[table] = quoteIdent(view);
    numbered[table] = quoteIdent(`${view}__numbered`);
  }
  outputs[NUMBERED] = numbered;
  return outputs;
}
