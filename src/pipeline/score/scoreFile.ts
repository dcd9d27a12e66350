import {createWriteStream} from "node:fs";
import {mkdir, mkdtemp, rename, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import type {Db} from "../engine/db.ts";
import {columnTypes, POS} from "../engine/replay.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import {DataError} from "../errors.ts";
import type {ModelBundle, Predictions} from "../ml/bundle.ts";
import {checkBatch, NON_FINITE, nonFiniteError, prepareFeatures, WARNINGS} from "./features.ts";
import type {Model} from "./model.ts";
import {fileReader, readForModel} from "./readForModel.ts";

export interface ScoreFileOptions {
  /** Write here (.csv or .parquet, via a temp file and rename); default: CSV to `stdout`. */
  output?: string;
  /** Input columns copied to the output beside the predictions (an id, a date). */
  keep?: readonly string[];
  /** Rows scored so far, after each batch. */
  onProgress?: (done: number, total: number) => void;
  /** Where CSV goes without an output file. */
  stdout?: NodeJS.WritableStream;
  /** Rows per batch: the memory bound (default 262,144). */
  batch?: number;
}

export interface ScoreFileResult {
  rows: number;
  output: string | null;
}

/**
 * Scores a CSV, TSV, Parquet or JSON file of raw rows: checks it against the signature (nothing is
 * written when it does not fit), replays the model's inference pipeline in DuckDB, and writes the
 * kept columns, the prediction (and class probabilities) and the row's warnings, in input order.
 * The rows stream through in batches: memory holds one batch, whatever the file's size.
 */
export async function scoreFile(
  model: Model,
  input: string,
  options: ScoreFileOptions = {}
): Promise<ScoreFileResult> {
  const {bundle} = model;
  const {openDb} = await import("../engine/db.ts");
  const db = await openDb();
  const scratch = await mkdtemp(join(tmpdir(), "mlbook-predict-"));
  try {
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
    let features: string;
    let total: number;
    try {
      await db.run(`CREATE TEMP VIEW ${raw} AS ${numbering}`);
      const have = await columnTypes(db, raw);
      const unknown = (options.keep ?? []).filter((c) => !have.has(c));
      if (unknown.length)
        throw new DataError(
          `--keep ${unknown.join(",")}: no such column (the input has ${[...have.keys()].filter((c) => c !== POS).join(", ")})`
        );
      features = await prepareFeatures(db, bundle, raw, {base: model.base, modules: model.modules});
      const bad = await checkBatch(db, bundle, raw);
      if (bad) throw bad;
      // The features (and the kept columns) once, in input order, on disk: batches read slices.
      const staged = join(scratch, "features.parquet");
      const kept = (options.keep ?? []).map((c, i) => `CAST(r.${quoteIdent(c)} AS VARCHAR) AS __keep_${i}`);
      await db.run(
        `COPY (SELECT ${["f.*", ...kept].join(", ")} FROM ${features} AS f${kept.length ? ` JOIN ${raw} AS r USING (${POS})` : ""}
         ORDER BY ${POS}) TO ${quoteString(staged)} (FORMAT parquet)`
      );
      features = `read_parquet(${quoteString(staged)})`;
      const [odd] = await db.rows<{p: number; what: [string, string]}>(
        `SELECT ${POS} AS p, ${NON_FINITE} AS what FROM ${features} WHERE ${NON_FINITE} IS NOT NULL ORDER BY ${POS} LIMIT 1`
      );
      if (odd) throw nonFiniteError(odd.what, Number(odd.p) + 1);
      [{n: total}] = await db.rows<{n: number}>(`SELECT count(*)::BIGINT AS n FROM ${features}`);
      total = Number(total);
    } catch (error) {
      throw named(error);
    }
    const batch = options.batch ?? 262_144;
    const keep = options.keep ?? [];
    const parquet = options.output !== undefined && /\.parquet$/i.test(options.output);
    const csvTarget = parquet
      ? join(scratch, "predictions.csv")
      : options.output
        ? `${options.output}.${process.pid}.tmp`
        : undefined;
    if (options.output) await mkdir(dirname(options.output), {recursive: true});
    const out: NodeJS.WritableStream = csvTarget
      ? createWriteStream(csvTarget)
      : (options.stdout ?? process.stdout);
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (out.write(text)) resolve();
        else {
          out.once("drain", () => resolve());
          out.once("error", reject);
        }
      });
    try {
      await write(
        `${[...keep, ...outputColumns(bundle).map(([name]) => name), "warnings"].map(csvField).join(",")}\n`
      );
      for (let start = 0; start < total || start === 0; start += batch) {
        const slice = `(SELECT * FROM ${features} WHERE ${POS} >= ${start} AND ${POS} < ${start + batch})`;
        const table = await readForModel(db, slice, bundle.features);
        const warnings = (
          await db.rows<{w: string | null}>(`SELECT ${WARNINGS} AS w FROM ${slice} ORDER BY ${POS}`)
        ).map((r) => r.w);
        const kept = keep.length
          ? (
              await db.rows<Record<string, unknown>>(
                `SELECT ${keep.map((_, i) => `__keep_${i}`).join(", ")} FROM ${slice} ORDER BY ${POS}`
              )
            ).map((r) => Object.fromEntries(keep.map((c, i) => [c, r[`__keep_${i}`]])))
          : [];
        await write(predictionsCsv(bundle, model.predictTable(table), {warnings, kept, keep}));
        options.onProgress?.(Math.min(start + batch, total), total);
        if (total === 0) break;
      }
    } finally {
      if (csvTarget)
        await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
    }
    if (options.output) {
      if (parquet) await toParquet(db, bundle, keep, csvTarget!, options.output);
      else await rename(csvTarget!, options.output);
    }
    return {rows: total, output: options.output ?? null};
  } catch (error) {
    if (options.output) await rm(`${options.output}.${process.pid}.tmp`, {force: true});
    throw error;
  } finally {
    db.close();
    await rm(scratch, {recursive: true, force: true});
  }
}

/** The predictions CSV as Parquet with the output's types (numbers read back exactly). */
async function toParquet(
  db: Db,
  bundle: ModelBundle,
  keep: readonly string[],
  csv: string,
  output: string
): Promise<void> {
  const tmp = `${output}.${process.pid}.tmp`;
  const types = [
    ...keep.map((c): [string, string] => [c, "VARCHAR"]),
    ...outputColumns(bundle),
    ["warnings", "VARCHAR"]
  ].map(([name, type]) => `${quoteString(name)}: '${type}'`);
  await db.run(
    `COPY (SELECT * FROM read_csv(${quoteString(csv)}, header = true, columns = {${types.join(", ")}})) TO ${quoteString(tmp)} (FORMAT parquet)`
  );
  await rename(tmp, output);
}

export function outputColumns(bundle: ModelBundle): [string, string][] {
  if (bundle.task !== "classification") return [["prediction", "DOUBLE"]];
  return [
    ["prediction", "VARCHAR"],
    ...bundle.classes.map((c): [string, string] => [`proba_${c}`, "DOUBLE"])
  ];
}

/** Predictions as CSV lines (no header); numbers in shortest round-trip form, so reading them back is bit-exact. */
export function predictionsCsv(
  bundle: ModelBundle,
  {predicted, proba}: Predictions,
  extra: {warnings?: (string | null)[]; kept?: Record<string, unknown>[]; keep?: readonly string[]} = {}
): string {
  const labels = bundle.classes.map(csvField);
  let text = "";
  for (let i = 0; i < predicted.length; ++i) {
    let line = (extra.keep ?? []).map((c) => csvValue(extra.kept?.[i]?.[c])).join(",");
    if (line || extra.keep?.length) line += ",";
    line += proba ? labels[predicted[i]] : String(predicted[i]);
    if (proba) for (let k = 0; k < proba.length; ++k) line += `,${proba[k][i]}`;
    text += `${line},${csvValue(extra.warnings?.[i])}\n`;
  }
  return text;
}

function csvValue(value: unknown): string {
  return value === null || value === undefined ? "" : csvField(String(value));
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
