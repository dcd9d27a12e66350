import {readFile, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {ConfigError, DataError, MlbookError, TransientError} from "../errors.ts";
import type {Db} from "./db.ts";
import {deniedFile} from "./deniedFile.ts";
import type {Node} from "./graph.ts";
import type {PlannedStep} from "./plan.ts";
import type {RunLogger} from "./runTypes.ts";
import {quoteIdent, quoteString} from "./sql.ts";
import {startPipeline, withStage, type InferencePipeline} from "../ml/inference.ts";
import {plainRows} from "./plainRows.ts";
import type {FileValue, OutputSpec, RetryPolicy, StepContext, TableValue} from "./step.ts";
import type {Entry, Store} from "./store.ts";
import {userFrame} from "./workspaceModule.ts";

/**
 * Runs one step: gives it its inputs (upstream tables as views over their stored Parquet, JSON as
 * values, files as paths), checks what it returns against the outputs it declares, and writes them
 * into a temp folder that the store renames into place. Nothing is left behind on failure.
 */
export async function execute(
  p: PlannedStep,
  db: Db,
  store: Store,
  entries: ReadonlyMap<string, Entry>,
  logger: RunLogger,
  dataLabel: string | undefined,
  attempts: {count: number} = {count: 0}
): Promise<Entry> {
  const {node} = p;
  const {step} = node;
  const numbered = new Map<string, string>();
  const inputs: Record<string, unknown> = {};
  for (const [role, {step: upstream, output}] of Object.entries(node.inputs)) {
    const entry = entries.get(upstream)!;
    // An optional input whose upstream did not write that output (split without a validation
    // set) is left out: the step sees it undefined.
    if (step.inputs[role].optional && entry && !wrote(entry.manifest, output)) continue;
    const kind = entry && upstreamKind(node, role);
    if (kind === "table") {
      const views = await tableView(db, upstream, entry.dir, output);
      inputs[role] = views.plain;
      numbered.set(views.plain, views.numbered);
    } else if (kind === "json") {
      inputs[role] = JSON.parse(await readFile(join(entry.dir, `${output}.json`), "utf8"));
    } else {
      const name = entry.manifest.raw?.find((f) => f === output || f.startsWith(`${output}.`));
      if (!name) throw new MlbookError(`step ${node.name}: ${upstream} stored no file ${output}`);
      inputs[role] = join(entry.dir, name);
    }
  }
  const t0 = performance.now();
  const tmp = await store.scratch();
  try {
    const parsed = step.params.parse(node.params);
    const ctx: StepContext = {
      db,
      log: (message) => logger.info(`${node.name}: ${message}`),
      progress: (done, total) => logger.progress(node.name, done, total),
      numbered: (relation) =>
        numbered.get(relation) ?? `(SELECT *, row_number() OVER () AS __row FROM ${relation})`
    };
    const output = await withRetries(
      () => step.run(inputs, parsed, ctx),
      node.retries,
      (attempt, delay, error) =>
        logger.info(
          `${node.name}: attempt ${attempt} failed (${error.message}); retrying in ${delay.toFixed(1)} s`
        ),
      attempts
    );
    const written = await writeOutputs(node, output, db, tmp);
    const replay = await carryInference(node, inputs.replay as InferencePipeline | undefined, db, tmp);
    if (replay) {
      await writeFile(join(tmp, "replay.json"), JSON.stringify(replay));
      written.json.push("replay");
    }
    return await store.commit(tmp, {
      step: node.name,
      key: p.key,
      ...written,
      durationMs: performance.now() - t0,
      createdAt: new Date().toISOString()
    });
  } catch (error) {
    await store.abandon(tmp);
    throw stepError(node, error, dataLabel);
  }
}

/**
 * The inference pipeline after a workspace step of the data chain: with its module as a stage
 * (it replays), or started again from the columns it wrote (it does not).
 */
async function carryInference(
  node: Node,
  upstream: InferencePipeline | undefined,
  db: Db,
  dir: string
): Promise<InferencePipeline | undefined> {
  const {inference, workspace} = node.step;
  if (!inference || !workspace) return undefined;
  if (inference === "module") {
    if (!upstream) return undefined;
    return withStage(upstream, {
      kind: "module",
      step: node.name,
      module: {path: workspace.shown, digest: workspace.digest},
      params: node.params
    });
  }
  const file = quoteString(join(dir, "data.parquet"));
  const raw = (
    await db.rows<{column_name: string; column_type: string}>(`DESCRIBE SELECT * FROM read_parquet(${file})`)
  ).map((c) => ({name: c.column_name, type: c.column_type}));
  return startPipeline(raw, await plainRows(db, `SELECT * FROM read_parquet(${file}) LIMIT 5`), node.name);
}

function wrote(manifest: Entry["manifest"], output: string): boolean {
  return (
    output in manifest.tables ||
    manifest.json.includes(output) ||
    (manifest.raw ?? []).some((f) => f === output || f.startsWith(`${output}.`))
  );
}

function upstreamKind(node: Node, role: string): "table" | "json" | "file" {
  return node.step.inputs[role].kind;
}

/**
 * An error of a step as the user sees it: bad data names the data, and an error thrown in the
 * workspace's code (the step's own module, or a model module it uses) names the user's file and line.
 */
function stepError(node: Node, error: unknown, dataLabel: string | undefined): MlbookError {
  const module = node.step.workspace;
  const at =
    [module, ...node.modules].map((m) => (m ? userFrame(error, m.files, m.base) : "")).find(Boolean) ?? "";
  const label = module ? `${node.name} (${module.shown})` : node.name;
  const denied = outsideAccess(error);
  if (denied) return new ConfigError(`${label}: ${denied}${at}`, {cause: error});
  if (error instanceof DataError)
    return new DataError(`${label}${dataLabel && !module ? ` (${dataLabel})` : ""}: ${error.message}${at}`, {
      cause: error
    });
  if (error instanceof MlbookError && !module) return error;
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = error instanceof MlbookError ? error.exitCode : 1;
  return new MlbookError(`step ${label} failed: ${message}${at}`, exitCode, {cause: error});
}

/**
 * DuckDB's refusal of a file outside what the run may reach (db.ts FileAccess), said as what it
 * is: SQL in the config (or a step) asked for another file. Undefined for any other error.
 */
function outsideAccess(error: unknown): string | undefined {
  const denied = deniedFile(error);
  if (!denied) return undefined;
  return (error instanceof Error ? error.message : String(error)).replace(
    denied.text,
    `cannot reach ${JSON.stringify(denied.path)}: SQL in a pipeline reaches only the data files the config names and the store (README: "What a config can do")`
  );
}

/**
 * A step's result checked against the outputs it declares: an object of them, none undeclared,
 * every required one there. Returns the outputs present, each with its spec.
 */
export function checkedOutputs(
  declared: Readonly<Record<string, OutputSpec>>,
  result: unknown
): {name: string; spec: OutputSpec; value: unknown}[] {
  if (!result || typeof result !== "object" || Array.isArray(result))
    throw badOutput(
      `${describe(result)}, not an object of its outputs (${Object.keys(declared).join(", ")})`
    );
  const values = result as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!(name in declared) && values[name] !== undefined)
      throw badOutput(
        `output ${JSON.stringify(name)}, which it does not declare (outputs: ${Object.keys(declared).join(", ")})`
      );
  }
  const out: {name: string; spec: OutputSpec; value: unknown}[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    const value = values[name];
    if (value === undefined) {
      if (spec.optional) continue;
      throw badOutput(`no ${name} (it declares ${spec.kind} output ${name})`);
    }
    if (spec.kind === "table" && !isTableValue(value))
      throw badOutput(
        `${describe(value)} as ${name} (a table output is SQL over the inputs, or a non-empty array of row objects)`
      );
    if (spec.kind === "json" && jsonText(value) === undefined)
      throw badOutput(`${describe(value)} as ${name}, which is not JSON`);
    if (spec.kind === "file" && !fileParts(value as FileValue))
      throw badOutput(`${describe(value)} as ${name} (a file output is bytes, text, or {data, extension})`);
    out.push({name, spec, value});
  }
  return out;
}

function badOutput(message: string): MlbookError {
  return new MlbookError(`it returned ${message}`);
}

function isTableValue(value: unknown): boolean {
  return (
    typeof value === "string" ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((r) => r && typeof r === "object" && !Array.isArray(r)))
  );
}

/** Writes a step's checked outputs into `dir`: tables as Parquet, JSON documents, raw files. */
async function writeOutputs(
  node: Node,
  result: unknown,
  db: Db,
  dir: string
): Promise<{tables: Record<string, number>; json: string[]; raw: string[]}> {
  const written = {tables: {} as Record<string, number>, json: [] as string[], raw: [] as string[]};
  // The inference pipeline a workspace step carries on is the engine's to write (carryInference).
  const {replay: _engines, ...own} = node.step.outputs;
  const declared = node.step.inference ? own : node.step.outputs;
  for (const {name, spec, value} of checkedOutputs(declared, result)) {
    if (spec.kind === "table")
      written.tables[name] = await writeTable(db, value as TableValue, join(dir, `${name}.parquet`));
    else if (spec.kind === "json") {
      await writeFile(join(dir, `${name}.json`), jsonText(value)!);
      written.json.push(name);
    } else {
      const file = fileParts(value as FileValue)!;
      const stored = file.extension ? `${name}.${file.extension}` : name;
      await writeFile(join(dir, stored), file.data);
      written.raw.push(stored);
    }
  }
  return written;
}

/** Materialises a table output as Parquet; returns its row count. */
async function writeTable(db: Db, value: TableValue, file: string): Promise<number> {
  let rows: string | undefined;
  let sql: string;
  if (typeof value === "string") sql = value;
  else {
    rows = `${file}.rows.json`;
    await writeFile(rows, JSON.stringify(value));
    sql = `SELECT * FROM read_json(${quoteString(rows)}, format = 'array')`;
  }
  try {
    await db.run(`COPY (${sql}) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    const [{n}] = await db.rows<{n: number}>(
      `SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteString(file)})`
    );
    return Number(n);
  } finally {
    if (rows) await rm(rows, {force: true});
  }
}

function jsonText(value: unknown): string | undefined {
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") return undefined;
  return JSON.stringify(value);
}

export function fileParts(value: FileValue): {data: Uint8Array | string; extension?: string} | undefined {
  if (value instanceof Uint8Array || typeof value === "string") return {data: value};
  if (value && typeof value === "object" && "data" in value && /^[A-Za-z0-9]+$/.test(String(value.extension)))
    return value.data instanceof Uint8Array || typeof value.data === "string" ? value : undefined;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
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
 * A step's view of one upstream table: a TEMP VIEW `<upstream>__<table>` over the stored Parquet
 * file, and the same rows with `__row`, their place in the file (the reader's file_row_number),
 * for steps that keep input order (StepContext.numbered).
 */
export async function tableView(
  db: Db,
  upstream: string,
  dir: string,
  table: string
): Promise<{plain: string; numbered: string}> {
  const view = `${upstream}__${table}`;
  const file = quoteString(join(dir, `${table}.parquet`));
  await db.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS SELECT * FROM read_parquet(${file})`);
  await db.run(
    `CREATE OR REPLACE TEMP VIEW ${quoteIdent(`${view}__numbered`)} AS SELECT * EXCLUDE (file_row_number), ` +
      `file_row_number AS __row FROM read_parquet(${file}, file_row_number = true)`
  );
  return {plain: quoteIdent(view), numbered: quoteIdent(`${view}__numbered`)};
}
