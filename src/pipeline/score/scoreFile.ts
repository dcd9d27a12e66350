import {createReadStream} from "node:fs";
import {mkdir, mkdtemp, rename, rm} from "node:fs/promises";
import {pipeline} from "node:stream/promises";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import type {Db} from "../engine/db.ts";
import {columnTypes, POS} from "../engine/replay.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import {DataError} from "../errors.ts";
import type {ModelBundle} from "../ml/bundle.ts";
import {checkBatch, NON_FINITE, nonFiniteError, prepareFeatures, WARNINGS} from "./features.ts";
import type {Model} from "./model.ts";
import {featureReader, fileReader} from "./readForModel.ts";

export interface ScoreFileOptions {
  /** Write here (.csv or .parquet, via a temp file and rename); default: CSV to `stdout`. */
  output?: string;
  /** Input columns copied to the output beside the predictions (an id, a date). */
  keep?: readonly string[];
  /** Rows scored so far, after each batch. */
  onProgress?: (done: number, total: number) => void;
  /** Where CSV goes without an output file. */
  stdout?: NodeJS.WritableStream;
  /** Rows per batch: what JS holds at once (default 262,144). */
  batch?: number;
  /** DuckDB's memory (its memory_limit, e.g. "2GB") before it spills to disk; default 512MB. */
  memory?: string;
}

const DEFAULT_MEMORY = "512MB";

export interface ScoreFileResult {
  rows: number;
  output: string | null;
}

/** The features of every row (and the kept columns), in input order; then the predictions. */
export const STAGED = "__mlbook_staged";
export const SCORED = "__mlbook_scored";

/**
 * Scores a CSV, TSV, Parquet or JSON file of raw rows: checks it against the signature (nothing is
 * written when it does not fit), replays the model's inference pipeline in DuckDB, and writes the
 * kept columns, the prediction (and class probabilities) and the row's warnings, in input order.
 * The features are staged once in DuckDB (which spills to disk past its memory), JS takes them a
 * batch at a time as typed columns and hands the predictions back the same way, and DuckDB writes
 * the output: no row object or line of text is made in JS, whatever the file's size.
 */
export async function scoreFile(
  model: Model,
  input: string,
  options: ScoreFileOptions = {}
): Promise<ScoreFileResult> {
  const {bundle} = model;
  // The bundle's SQL reaches the input, the output and the scratch folder, no other file.
  return withScoringDb(
    "predict",
    (scratch) => {
      const tmp = options.output ? `${options.output}.${process.pid}.tmp` : join(scratch, "predictions.csv");
      return {files: [input, tmp], memory: options.memory, tmp};
    },
    async (db, {tmp}) => {
      try {
        const keep = options.keep ?? [];
        const total = await stageAndScore(db, model, input, {...options, keep});
        const outputs = outputColumns(bundle);
        if (options.output) await mkdir(dirname(options.output), {recursive: true});
        const parquet = options.output !== undefined && /\.parquet$/i.test(options.output);
        const select = [
          ...keep.map((c, i) => `__keep_${i} AS ${quoteIdent(c)}`),
          ...outputs.map(([name], k) =>
            k === 0 ? `${predictedValue(bundle)} AS ${quoteIdent(name)}` : `c${k} AS ${quoteIdent(name)}`
          ),
          `${WARNINGS} AS warnings`
        ];
        // Both tables hold the rows in input order: a positional join lines them up.
        await db.run(
          `COPY (SELECT ${select.join(", ")} FROM ${STAGED} POSITIONAL JOIN ${SCORED})
       TO ${quoteString(tmp)} (FORMAT ${parquet ? "parquet" : "csv"}${parquet ? "" : ", HEADER true"})`
        );
        if (options.output) await rename(tmp, options.output);
        else await pipeline(createReadStream(tmp), options.stdout ?? process.stdout, {end: false});
        return {rows: total, output: options.output ?? null};
      } catch (error) {
        if (options.output) await rm(tmp, {force: true});
        throw error;
      }
    }
  );
}

/**
 * Runs `use` on a DuckDB that reaches `files` and a scratch folder of its own, no other file, and
 * spills its staged rows and sorts there past `memory` (default 512MB); both go afterwards.
 * `setup` names the files once the scratch folder exists (an output may be written inside it).
 */
export async function withScoringDb<S extends {files: string[]; memory?: string}, T>(
  name: string,
  setup: (scratch: string) => S,
  use: (db: Db, setup: S) => Promise<T>
): Promise<T> {
  const {openDb} = await import("../engine/db.ts");
  const scratch = await mkdtemp(join(tmpdir(), `mlbook-${name}-`));
  try {
    const given = setup(scratch);
    const db = await openDb({
      directories: [scratch],
      files: given.files.flatMap((f) => [f, resolve(f)]),
      spill: join(scratch, "spill"),
      memory: given.memory ?? DEFAULT_MEMORY
    });
    try {
      return await use(db, given);
    } finally {
      db.close();
    }
  } finally {
    await rm(scratch, {recursive: true, force: true});
  }
}

/** The prediction as SQL over SCORED's c0: the class label (classification) or the value. */
export function predictedValue(bundle: ModelBundle): string {
  return bundle.task === "classification"
    ? `([${bundle.classes.map(quoteString).join(", ")}]::VARCHAR[])[c0::INTEGER + 1]`
    : "c0";
}

/**
 * Stages the features of every row of `input` (and its kept columns, as __keep_<i>) in STAGED, in
 * input order, and the model's outputs (outputColumns, as c0, c1 …) in SCORED, row for row. Checks
 * the rows against the signature first: a file that does not fit stages nothing. Returns the rows.
 */
export async function stageAndScore(
  db: Db,
  model: Model,
  input: string,
  options: {
    keep: readonly string[];
    /** How the kept columns were asked for, in an error (default --keep). */
    keepFlag?: string;
    batch?: number;
    onProgress?: (done: number, total: number) => void;
  }
): Promise<number> {
  const {bundle} = model;
  const keep = options.keep;
  const named = (error: unknown) =>
    error instanceof DataError
      ? new DataError(`${input}: ${error.message}`, {cause: error})
      : new DataError(
          `${input}: cannot read (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
          {
            cause: error
          }
        );
  const raw = "__mlbook_input";
  const reader = fileReader(input, {text: true});
  const numbering = /^read_parquet/.test(reader)
    ? `SELECT * EXCLUDE (file_row_number), file_row_number::BIGINT AS ${POS} FROM ${reader.replace(/\)$/, ", file_row_number = true)")}`
    : `SELECT *, (row_number() OVER () - 1)::BIGINT AS ${POS} FROM ${reader}`;
  let total: number;
  try {
    await db.run(`CREATE TEMP VIEW ${raw} AS ${numbering}`);
    const have = await columnTypes(db, raw);
    const unknown = keep.filter((c) => !have.has(c));
    if (unknown.length)
      throw new DataError(
        `${options.keepFlag ?? "--keep"} ${unknown.join(",")}: no such column (the input has ${[...have.keys()].filter((c) => c !== POS).join(", ")})`
      );
    const features = await prepareFeatures(db, bundle, raw, {base: model.base, modules: model.modules});
    const bad = await checkBatch(db, bundle, raw);
    if (bad) throw bad;
    const kept = keep.map((c, i) => `r.${quoteIdent(c)} AS __keep_${i}`);
    await db.run(
      `CREATE TABLE ${STAGED} AS SELECT ${["f.*", ...kept].join(", ")} FROM ${features} AS f${kept.length ? ` JOIN ${raw} AS r USING (${POS})` : ""}
         ORDER BY ${POS}`
    );
    const [counted] = await db.rows<{n: number; odd: number | null}>(
      `SELECT count(*)::BIGINT AS n, min(${POS}) FILTER (WHERE ${NON_FINITE} IS NOT NULL) AS odd FROM ${STAGED}`
    );
    if (counted.odd !== null) {
      const [{what}] = await db.rows<{what: [string, string]}>(
        `SELECT ${NON_FINITE} AS what FROM ${STAGED} WHERE ${POS} = ${Number(counted.odd)}`
      );
      throw nonFiniteError(what, Number(counted.odd) + 1);
    }
    total = Number(counted.n);
  } catch (error) {
    throw named(error);
  }
  const outputs = outputColumns(bundle);
  await db.run(`CREATE TABLE ${SCORED} (${outputs.map((_, k) => `c${k} DOUBLE`).join(", ")})`);
  const batch = options.batch ?? 262_144;
  // The staged features stream through in order on this connection, the predictions go in on
  // another.
  const features = featureReader(bundle.features);
  const names = bundle.features.map((f) => quoteIdent(f.name)).join(", ");
  const appender = await db.connect();
  try {
    let done = 0;
    for await (const read of db.columnBatches(
      `SELECT ${features.select.join(", ")} FROM (SELECT ${names} FROM ${STAGED})`,
      batch
    )) {
      const {predicted, proba} = model.predictTable(features.decode(read));
      const columns = [
        predicted instanceof Float64Array ? predicted : Float64Array.from(predicted),
        ...(proba ?? [])
      ];
      await appender.appendNumbers(SCORED, columns, 0, read.rows);
      options.onProgress?.((done += read.rows), total);
    }
  } finally {
    appender.close();
  }
  return total;
}

export function outputColumns(bundle: ModelBundle): [string, string][] {
  if (bundle.task !== "classification") return [["prediction", "DOUBLE"]];
  return [
    ["prediction", "VARCHAR"],
    ...bundle.classes.map((c): [string, string] => [`proba_${c}`, "DOUBLE"])
  ];
}
