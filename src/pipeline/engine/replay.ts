import {DataError} from "../errors.ts";
import type {InferencePipeline, ModuleStage, SelectStage, WindowStage} from "../ml/inference.ts";
import type {Db, JsColumn} from "./db.ts";
import {deniedFile} from "./deniedFile.ts";
import {checkedOutputs} from "./execute.ts";
import {workspaceModules, type ModuleSource} from "./moduleSource.ts";
import {quoteIdent, quoteString} from "./sql.ts";
import type {StepContext} from "./step.ts";
import {workspaceStep} from "./workspaceStep.ts";

/** The columns the replay carries beside the data: each row's input position, and its flags. */
export const POS = "__mlbook_pos";
export const FLAGS = "__mlbook_flags";

/** Where replay finds a workspace module (the config's folder) and tells what it did. */
export interface ReplayOptions {
  base: string;
  /** Where the modules of replayed steps come from (default: workspaceModules(base)). */
  modules?: ModuleSource;
  /**
   * Collects the view each stage makes, in order: a scorer inlines them into one prepared query
   * (WITH name AS (sql), …) over rows bound as parameters instead of a table.
   */
  views?: ViewDefinition[];
  log?: (message: string) => void;
}

/** A view replay made: `name` reads earlier ones (and the input) by name. */
export interface ViewDefinition {
  name: string;
  sql: string;
}

let relations = 0;

/**
 * Prepares the replay of an inference pipeline on `input` (a relation with the raw columns and
 * POS): views that cast the raw columns to the types training read, then run each stage. Returns
 * the final view (the stages' columns, POS and FLAGS, a list of messages); views are evaluated
 * afresh at each query, so one preparation serves every batch put into `input` later. Values
 * that do not convert are checked apart (badValue), at each batch.
 */
export async function replay(
  db: Db,
  pipeline: InferencePipeline,
  input: string,
  options: ReplayOptions
): Promise<string> {
  const have = await columnTypes(db, input);
  const casts: string[] = [];
  for (const {name, type} of pipeline.raw) {
    const given = have.get(name);
    if (given === undefined) continue;
    casts.push(given === type ? quoteIdent(name) : `${rawCast(name, given, type)} AS ${quoteIdent(name)}`);
  }
  let current = await view(
    db,
    options,
    `SELECT ${[...casts, POS, `[]::VARCHAR[] AS ${FLAGS}`].join(", ")} FROM ${input}`
  );
  for (const stage of pipeline.stages) {
    if (stage.kind === "select") current = await selectStage(db, stage, current, options);
    else if (stage.kind === "window") current = await windowStage(db, stage, current, options);
    else current = await moduleStage(db, stage, current, options);
  }
  return current;
}

/** A raw column as training read it: JSON text as its value, anything else converted. */
function rawCast(name: string, given: string, type: string): string {
  const c = given === "JSON" ? `(${quoteIdent(name)} ->> '$')` : quoteIdent(name);
  return `TRY_CAST(${c} AS ${type})`;
}

/**
 * The first row (by POS) of `input` holding a value that does not convert to its column's training
 * type, or a number that is not finite (NaN, ±Infinity): an error naming the column and the row
 * (counted from 1), or undefined when every value fits. One query for every column.
 */
export async function badValue(
  db: Db,
  columns: readonly {name: string; type: string}[],
  input: string
): Promise<DataError | undefined> {
  const test = badTest(columns, await columnTypes(db, input));
  if (!test) return undefined;
  const [bad] = await db.rows<{p: number; what: [string, string]}>(
    `SELECT * FROM (SELECT ${POS}::BIGINT AS p, ${test} AS what FROM ${input}) WHERE what IS NOT NULL ORDER BY p LIMIT 1`
  );
  if (!bad) return undefined;
  const [{v}] = await db.rows<{v: string}>(
    `SELECT CAST(${quoteIdent(bad.what[0])} AS VARCHAR) AS v FROM ${input} WHERE ${POS} = ${Number(bad.p)}`
  );
  return badValueError(columns, bad.what, v, Number(bad.p) + 1);
}

/**
 * An expression over a row of raw columns (`have`: name → DuckDB type) that is `[column, why]`
 * for the first value that does not fit (`why`: "type" or "finite"), else NULL; undefined when no
 * value can fail.
 */
export function badTest(
  columns: readonly {name: string; type: string}[],
  have: ReadonlyMap<string, string>
): string | undefined {
  const tests: string[] = [];
  for (const {name, type} of columns) {
    const given = have.get(name);
    if (given === undefined) continue;
    const c = quoteIdent(name);
    const cast = rawCast(name, given, type);
    const label = quoteString(name);
    if (given !== type) tests.push(`WHEN ${c} IS NOT NULL AND ${cast} IS NULL THEN [${label}, 'type']`);
    if (/^(DOUBLE|FLOAT|REAL)$/.test(type))
      tests.push(`WHEN NOT isfinite(${given === type ? c : cast}) THEN [${label}, 'finite']`);
  }
  return tests.length ? `CASE ${tests.join(" ")} END` : undefined;
}

/** The error for a value badTest found: `value` as text, `row` counted from 1. */
export function badValueError(
  columns: readonly {name: string; type: string}[],
  [name, why]: readonly [string, string],
  value: string,
  row: number
): DataError {
  const type = columns.find((c) => c.name === name)!.type;
  return why === "type"
    ? new DataError(
        `column ${JSON.stringify(name)}, row ${row}: ${JSON.stringify(value)} is not a ${type} (the model was trained on ${type})`
      )
    : new DataError(
        `column ${JSON.stringify(name)}, row ${row}: ${value} is not a number the model can score (a missing value is empty, not NaN)`
      );
}

/** Makes a view of `sql` (recorded in options.views). */
export async function view(db: Db, options: Pick<ReplayOptions, "views">, sql: string): Promise<string> {
  const name = `__replay_${++relations}`;
  await db.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${sql}`);
  options.views?.push({name, sql});
  return name;
}

export async function columnTypes(db: Db, relation: string): Promise<Map<string, string>> {
  const rows = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM ${relation}`
  );
  return new Map(rows.map((r) => [r.column_name, r.column_type]));
}

/** Whether each expression can be computed from `relation` (binds): one query when all do. */
async function computable(db: Db, relation: string, exprs: readonly string[]): Promise<boolean[]> {
  if (!exprs.length) return [];
  const binds = (list: readonly string[]) =>
    db.run(`DESCRIBE SELECT ${list.join(", ")} FROM ${relation}`).then(
      () => true,
      (error: unknown) => {
        // Not a column scoring lacks: SQL reaching for a file, which no stage mlbook makes does.
        const denied = deniedFile(error);
        if (denied)
          throw new DataError(
            `the model's inference pipeline reaches for the file ${JSON.stringify(denied.path)}, which scoring never allows: the bundle was not made by a pipeline run, or was edited`
          );
        return false;
      }
    );
  if (await binds(exprs)) return exprs.map(() => true);
  const out: boolean[] = [];
  for (const e of exprs) out.push(await binds([e]));
  return out;
}

async function selectStage(
  db: Db,
  stage: SelectStage,
  from: string,
  options: ReplayOptions
): Promise<string> {
  const exprs = stage.columns.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`);
  const ok = await computable(db, from, exprs);
  const flagExprs = stage.flags.map(
    (f) => `CASE WHEN (${f.expr}) IS NOT TRUE THEN ${quoteString(f.message)} END`
  );
  const flagsOk = await computable(db, from, flagExprs);
  const flags = flagExprs.filter((_, i) => flagsOk[i]);
  const list = flags.length
    ? `list_concat(${FLAGS}, list_filter([${flags.join(", ")}], x -> x IS NOT NULL))`
    : FLAGS;
  return view(
    db,
    options,
    `SELECT ${[...exprs.filter((_, i) => ok[i]), POS, `${list} AS ${FLAGS}`].join(", ")} FROM ${from}`
  );
}

/**
 * Windows over earlier rows, as featurize computes them, over the history: the rows kept from
 * training (the state) and the scored rows that carry the window's value, in order of time and
 * then input position. A scored row without the value (its outcome is not known yet) reads the
 * history before its time, and is not history for the rows after it — as training, which never
 * saw such rows, would have it.
 */
async function windowStage(
  db: Db,
  stage: WindowStage,
  from: string,
  options: ReplayOptions
): Promise<string> {
  const types = await columnTypes(db, from);
  let current = from;
  for (const [i, w] of stage.windows.entries()) {
    const need = [w.column, w.order, ...(w.by ? [w.by] : [])];
    if (need.some((c) => !types.has(c))) continue; // not computable: a later check names what is missing
    const stateRows = stage.state[i] ?? [];
    // The rows kept from training: a table of this connection, made once (views read it later).
    const stateTable = `__replay_state_${++relations}`;
    const rawState = `${stateTable}_text`;
    const field = (key: "by" | "order" | "value"): JsColumn => ({
      name: key,
      type: "VARCHAR",
      // As text, the way a JSON reader would take each value as VARCHAR.
      get: (r) => {
        const v = (stateRows[r] as Record<string, unknown>)[key];
        return v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
      }
    });
    await db.createTable(rawState, [field("by"), field("order"), field("value")], stateRows.length);
    const cast = (key: string, column: string) => `CAST(s.${quoteIdent(key)} AS ${types.get(column)})`;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${stateTable} AS SELECT ${w.by ? cast("by", w.by) : "0"} AS g,
         ${cast("order", w.order)} AS o, ${cast("value", w.column)} AS v,
         (row_number() OVER () - ${stateRows.length + 1})::BIGINT AS r
       FROM ${rawState} AS s`
    );
    const scored = `SELECT ${w.by ? quoteIdent(w.by) : "0"} AS g, ${quoteIdent(w.order)} AS o, ${quoteIdent(w.column)} AS v, ${POS}::BIGINT AS r FROM ${current}`;
    const history = `SELECT * FROM ${stateTable} UNION ALL SELECT * FROM (${scored}) WHERE v IS NOT NULL`;
    const agg = w.agg === "mean" ? "avg" : w.agg;
    const partition = w.by ? "PARTITION BY g " : "";
    let values: string;
    if (w.rows !== undefined) {
      // featurize's own frame for rows with a value; for the others, the history as of their time:
      // the window after the last row (in order of time, then position) before it.
      values = `WITH h AS (SELECT *,
            ${agg}(v) OVER (${partition}ORDER BY o, r ROWS BETWEEN ${w.rows} PRECEDING AND 1 PRECEDING) AS w,
            ${agg}(v) OVER (${partition}ORDER BY o, r ROWS BETWEEN ${w.rows - 1} PRECEDING AND CURRENT ROW) AS after
          FROM (${history})),
        known AS (SELECT r, first_value(w) OVER (PARTITION BY g, o ORDER BY r) AS value FROM h),
        latest AS (SELECT g, o, arg_max(after, r) AS after FROM h GROUP BY g, o),
        unknown AS (SELECT q.r, l.after AS value FROM (${scored}) AS q ASOF LEFT JOIN latest AS l ON q.g = l.g AND q.o > l.o WHERE q.v IS NULL)
        SELECT * FROM known WHERE r >= 0 UNION ALL SELECT * FROM unknown`;
    } else {
      const exact = w.agg === "mean" || w.agg === "sum" ? "v::DECIMAL(38, 12)" : "v";
      values = `SELECT * FROM (SELECT r, (${agg}(${exact}) OVER (${partition}ORDER BY o
          RANGE BETWEEN to_seconds(${(w.days ?? 0) * 86400}) PRECEDING AND CURRENT ROW EXCLUDE GROUP))::DOUBLE AS value
        FROM (SELECT * FROM ${stateTable} UNION ALL ${scored})) WHERE r >= 0`;
    }
    current = await view(
      db,
      options,
      `SELECT c.* EXCLUDE (${POS}, ${FLAGS}), t.value AS ${quoteIdent(w.name)}, c.${POS}, c.${FLAGS}
       FROM ${current} AS c LEFT JOIN (${values}) AS t ON t.r = c.${POS}`
    );
  }
  return current;
}

/** A workspace step's own code, run again on the rows (refused when its module changed). */
async function moduleStage(
  db: Db,
  stage: ModuleStage,
  from: string,
  options: ReplayOptions
): Promise<string> {
  const modules = options.modules ?? workspaceModules(options.base);
  const module = await modules(stage.module, `step ${stage.step}'s module`);
  const step = workspaceStep(stage.step, module);
  const ctx: StepContext = {
    db,
    log: (message) => options.log?.(`${stage.step}: ${message}`),
    progress() {},
    numbered: (relation) => relation
  };
  const result = await step.run({data: from}, step.params.parse(stage.params), ctx);
  const [{value}] = checkedOutputs(step.outputs, result).filter((o) => o.name === "data");
  if (typeof value !== "string")
    throw new DataError(
      `step ${stage.step} (${stage.module.path}) must return SQL to replay: a model scores it on new rows`
    );
  const out = await view(db, options, value);
  const types = await columnTypes(db, out);
  if (!types.has(POS) || !types.has(FLAGS))
    throw new DataError(
      `step ${stage.step} (${stage.module.path}) must keep every column it is given (SELECT *, …) to replay on new rows`
    );
  return out;
}

/**
 * What a window needs from the end of the training rows (`relation`, numbered in input order by
 * `__row`): per group, the last `rows` rows with a value, or the rows of the last `days`; oldest
 * first, as JSON values.
 */
export async function windowState(
  db: Db,
  relation: string,
  w: WindowStage["windows"][number]
): Promise<WindowStage["state"][number]> {
  const g = w.by ? quoteIdent(w.by) : "0";
  const base = `SELECT ${g} AS g, ${quoteIdent(w.order)} AS o, ${quoteIdent(w.column)} AS v, __row FROM ${relation} WHERE ${quoteIdent(w.column)} IS NOT NULL`;
  const keep =
    w.rows !== undefined
      ? `row_number() OVER (PARTITION BY g ORDER BY o DESC, __row DESC) <= ${w.rows}`
      : `o >= max(o) OVER (PARTITION BY g) - to_seconds(${(w.days ?? 0) * 86400})`;
  const rows = await db.rows<{by: unknown; order: unknown; value: unknown}>(
    `SELECT g AS by, o AS "order", v AS value FROM (SELECT *, ${keep} AS keep FROM (${base})) WHERE keep
     ORDER BY g NULLS FIRST, o, __row`
  );
  return rows.map((r) => ({by: w.by ? r.by : null, order: r.order, value: r.value}));
}

/**
 * The raw columns a pipeline needs to compute `features`: replayed on no rows with each raw
 * column left out in turn, those without which a feature cannot be computed. Refuses a pipeline
 * that cannot compute a feature even with every column (a step that makes it does not replay).
 */
export async function neededColumns(
  db: Db,
  pipeline: InferencePipeline,
  features: readonly string[],
  options: ReplayOptions
): Promise<InferencePipeline["raw"]> {
  const probe = `__replay_probe_${++relations}`;
  const columns = [
    ...pipeline.raw.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`),
    `0::BIGINT AS ${POS}`
  ];
  await db.run(`CREATE OR REPLACE TEMP TABLE ${probe} AS SELECT ${columns.join(", ")} LIMIT 0`);
  const computed = async (without?: string) => {
    const input = without ? `(SELECT * EXCLUDE (${quoteIdent(without)}) FROM ${probe})` : probe;
    const out = await replay(db, pipeline, input, options);
    return columnTypes(db, out);
  };
  const all = await computed();
  const lacking = features.filter((f) => !all.has(f));
  if (lacking.length)
    throw new DataError(
      `the model's features ${lacking.map((f) => JSON.stringify(f)).join(", ")} are not computed by the steps that replay on new rows${pipeline.from ? ` (from ${pipeline.from} on)` : ""}: a step that makes them must declare replay`
    );
  const needed: InferencePipeline["raw"] = [];
  for (const column of pipeline.raw) {
    // A replayed module that fails without the column needs it.
    const without = await computed(column.name).catch(() => new Map<string, string>());
    if (features.some((f) => !without.has(f))) needed.push(column);
  }
  return needed;
}

/**
 * The window stages' state from the training rows (`training`, numbered by `__row`): per window,
 * the rows at the end of the training data it needs to score new ones.
 */
export async function closeWindows(
  db: Db,
  pipeline: InferencePipeline,
  training: string
): Promise<InferencePipeline> {
  const trainingColumns = await columnTypes(db, training);
  const stages = [];
  for (const stage of pipeline.stages) {
    if (stage.kind !== "window") {
      stages.push(stage);
      continue;
    }
    const state = [];
    for (const w of stage.windows) {
      const lacking = [w.column, w.order, ...(w.by ? [w.by] : [])].filter((c) => !trainingColumns.has(c));
      if (lacking.length)
        throw new DataError(
          `${stage.step}.window ${w.name}: the training rows lack ${lacking.join(", ")}, so the model cannot keep the rows the window needs to score new ones (keep the column, and leave it out of features)`
        );
      state.push(await windowState(db, training, w));
    }
    stages.push({...stage, state});
  }
  return {...pipeline, stages};
}

/**
 * The inference pipeline a model carries, from one whose windows are closed (closeWindows): the
 * raw columns it needs to compute `features`; the example keeps those columns only.
 */
export async function closePipeline(
  db: Db,
  closed: InferencePipeline,
  features: readonly string[],
  options: ReplayOptions
): Promise<InferencePipeline> {
  const raw = await neededColumns(db, closed, features, options);
  const names = new Set(raw.map((c) => c.name));
  const example = closed.example.map((row) =>
    Object.fromEntries(Object.entries(row).filter(([k]) => names.has(k)))
  );
  return {...closed, raw, example};
}
