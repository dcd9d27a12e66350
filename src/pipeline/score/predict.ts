import {readFileSync} from "node:fs";
import {mkdir, rename, rm, writeFile} from "node:fs/promises";
import {dirname} from "node:path";
import {
  predictBundle,
  restoreEstimator,
  type ModelBundle,
  type Predictions,
  type SignatureColumn
} from "../ml/bundle.ts";
import type {Db} from "../engine/db.ts";
import {DataError} from "../errors.ts";
import {specForBundle} from "../engine/model.ts";
import type {Estimator, ModelSpec} from "../ml/types.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {Column, Table} from "../ml/table.ts";

/** One scored row: the prediction and, for a classifier, each class's probability. */
export interface PredictionRow {
  prediction: string | number;
  probabilities?: Record<string, number>;
}

export interface Model {
  bundle: ModelBundle;
  /** Scores row objects (convenient for a few rows); checks each against the signature first. */
  predict(rows: readonly Record<string, unknown>[]): PredictionRow[];
  /** Scores a column-major table: the fast path for many rows. */
  predictTable(table: Table): Predictions;
}

/**
 * Loads a model bundle (the train step's model.json or an exported model) from a JSON file. A
 * workspace model's module is found from `base` (the folder of the config that trained it; default
 * the working folder) and must be the code it was trained with.
 */
export async function loadModel(path: string, options: {base?: string} = {}): Promise<Model> {
  let bundle: ModelBundle;
  try {
    bundle = JSON.parse(readFileSync(path, "utf8")) as ModelBundle;
  } catch (error) {
    throw new DataError(
      `${path}: cannot read the model bundle (${error instanceof Error ? error.message : String(error)})`
    );
  }
  if (!bundle || !Array.isArray(bundle.signature) || !bundle.estimator)
    throw new DataError(`${path}: not a model bundle`);
  const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);
  return modelFromBundle(
    bundle,
    path,
    await specForBundle(bundle.estimator, options.base ?? process.cwd()),
    warn
  );
}

/** A model from a bundle in memory; `spec` for a workspace model (see specForBundle). */
export function modelFromBundle(
  bundle: ModelBundle,
  source = "model",
  spec?: ModelSpec,
  warn?: (message: string) => void
): Model {
  if (!bundle || !Array.isArray(bundle.signature) || !bundle.estimator)
    throw new DataError(`${source}: not a model bundle`);
  const estimator: Estimator = restoreEstimator(bundle, spec, {warn});
  return {
    bundle,
    predictTable: (table) => predictBundle(bundle, table, estimator),
    predict(rows) {
      const {predicted, proba} = predictBundle(bundle, tableFromRows(bundle.signature, rows), estimator);
      return Array.from(predicted, (p, i): PredictionRow => {
        if (!proba) return {prediction: p};
        return {
          prediction: bundle.classes[p],
          probabilities: Object.fromEntries(bundle.classes.map((c, k) => [c, proba[k][i]]))
        };
      });
    }
  };
}

/** Row objects → typed columns, naming the column and row of the first value that does not fit. */
export function tableFromRows(
  signature: readonly SignatureColumn[],
  rows: readonly Record<string, unknown>[]
): Table {
  const columns: Record<string, Column> = {};
  for (const s of signature) {
    if (rows.length && !rows.some((r) => s.name in r)) throw missingColumn(s, Object.keys(rows[0]));
    if (s.kind === "numeric") {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; ++i) {
        const v = rows[i][s.name];
        if (v === null || v === undefined) out[i] = NaN;
        else if (typeof v === "number") out[i] = v;
        else if (typeof v === "boolean") out[i] = Number(v);
        else throw wrongType(s, i + 1, v);
      }
      columns[s.name] = out;
    } else {
      columns[s.name] = rows.map((r) => {
        const v = r[s.name];
        return v === null || v === undefined ? null : String(v);
      });
    }
  }
  return {rows: rows.length, columns};
}

function missingColumn(s: SignatureColumn, have: string[]): DataError {
  return new DataError(
    `missing column ${JSON.stringify(s.name)} (the model needs it as ${s.type}; the input has ${have.join(", ")})`
  );
}

function wrongType(s: SignatureColumn, row: number, value: unknown): DataError {
  return new DataError(
    `column ${JSON.stringify(s.name)}, row ${row}: ${JSON.stringify(value)} is not a number (the model expects ${s.type})`
  );
}

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;

/**
 * Reads the signature's columns of a relation into typed columns, checking them first: a missing
 * column, or a value a numeric column cannot hold, is an error naming the column (and row, counted
 * from 1). Category strings are decoded through a small dictionary, never one string per row.
 */
export async function readForModel(
  db: Db,
  relation: string,
  signature: readonly SignatureColumn[]
): Promise<Table> {
  const described = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM ${relation}`
  );
  const types = new Map(described.map((d) => [d.column_name, d.column_type]));
  for (const s of signature) {
    if (!types.has(s.name)) throw missingColumn(s, [...types.keys()]);
  }
  for (const s of signature) {
    const type = types.get(s.name)!;
    if (s.kind !== "numeric" || numericType.test(type)) continue;
    const c = quoteIdent(s.name);
    const [bad] = await db.rows<{rn: number; v: string}>(
      `SELECT rn::BIGINT AS rn, v FROM (SELECT row_number() OVER () AS rn, CAST(${c} AS VARCHAR) AS v FROM ${relation})
       WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL ORDER BY rn LIMIT 1`
    );
    if (bad) throw wrongType(s, Number(bad.rn), bad.v);
  }
  const columns: Record<string, Column> = {};
  let rows = 0;
  for (const s of signature) {
    const c = quoteIdent(s.name);
    if (s.kind === "numeric") {
      columns[s.name] = await db.numbers(`SELECT TRY_CAST(${c} AS DOUBLE) FROM ${relation}`);
    } else {
      if (s.categories && s.categories.length > 512) {
        const {codes, values} = await db.categories(`SELECT ${c} FROM ${relation}`, s.name);
        columns[s.name] = Array.from(codes, (k) => (k < 0 ? null : values[k]));
        rows = codes.length;
        continue;
      }
      const dictionary = (
        await db.rows<{v: string}>(
          `SELECT DISTINCT CAST(${c} AS VARCHAR) AS v FROM ${relation} WHERE ${c} IS NOT NULL ORDER BY v`
        )
      ).map((r) => r.v);
      const list = `[${dictionary.map(quoteString).join(", ")}]::VARCHAR[]`;
      const codes = await db.numbers(
        `SELECT coalesce(list_position(${list}, CAST(${c} AS VARCHAR)), 0) - 1 FROM ${relation}`
      );
      const strings: (string | null)[] = new Array(codes.length);
      for (let i = 0; i < codes.length; ++i) strings[i] = codes[i] < 0 ? null : dictionary[codes[i]];
      columns[s.name] = strings;
    }
    rows = columns[s.name].length;
  }
  return {rows, columns};
}

/** The DuckDB table function reading a CSV, TSV, Parquet or JSON file. */
export function fileReader(path: string): string {
  const p = quoteString(path);
  if (/\.parquet$/i.test(path)) return `read_parquet(${p})`;
  if (/\.tsv$/i.test(path)) return `read_csv(${p}, header = true, delim = '\t')`;
  if (/\.(nd)?json$/i.test(path)) return `read_json_auto(${p})`;
  return `read_csv(${p}, header = true)`;
}

export interface ScoreFileResult {
  rows: number;
  output: string | null;
  /** The predictions as CSV text, when no output file was given. */
  csv?: string;
}

/**
 * Scores a CSV/Parquet/JSON file: checks it against the signature (nothing is written when it does
 * not fit), then writes predictions (and class probabilities) to `output` (.csv or .parquet, via a
 * temp file and rename) or returns them as CSV text.
 */
export async function scoreFile(model: Model, input: string, output?: string): Promise<ScoreFileResult> {
  const {openDb} = await import("../engine/db.ts");
  const db = await openDb();
  try {
    let table: Table;
    try {
      table = await readForModel(db, fileReader(input), model.bundle.signature);
    } catch (error) {
      if (error instanceof DataError) throw new DataError(`${input}: ${error.message}`);
      throw new DataError(
        `${input}: cannot read (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`
      );
    }
    const csv = predictionsCsv(model.bundle, model.predictTable(table));
    if (!output) return {rows: table.rows, output: null, csv};
    await mkdir(dirname(output), {recursive: true});
    const tmp = `${output}.${process.pid}.tmp`;
    try {
      if (/\.parquet$/i.test(output)) {
        const csvTmp = `${tmp}.csv`;
        await writeFile(csvTmp, csv);
        const types = outputColumns(model.bundle).map(([name, type]) => `${quoteString(name)}: '${type}'`);
        await db.run(
          `COPY (SELECT * FROM read_csv(${quoteString(csvTmp)}, header = true, columns = {${types.join(", ")}})) TO ${quoteString(tmp)} (FORMAT parquet)`
        );
        await rm(csvTmp, {force: true});
      } else {
        await writeFile(tmp, csv);
      }
      await rename(tmp, output);
    } catch (error) {
      await rm(tmp, {force: true});
      throw error;
    }
    return {rows: table.rows, output};
  } finally {
    db.close();
  }
}

function outputColumns(bundle: ModelBundle): [string, string][] {
  if (bundle.task !== "classification") return [["prediction", "DOUBLE"]];
  return [
    ["prediction", "VARCHAR"],
    ...bundle.classes.map((c): [string, string] => [`proba_${c}`, "DOUBLE"])
  ];
}

/** Predictions as CSV; numbers in shortest round-trip form, so reading them back is bit-exact. */
export function predictionsCsv(bundle: ModelBundle, {predicted, proba}: Predictions): string {
  const header = outputColumns(bundle)
    .map(([name]) => csvField(name))
    .join(",");
  const lines: string[] = [header];
  const labels = bundle.classes.map(csvField);
  for (let i = 0; i < predicted.length; ++i) {
    if (!proba) lines.push(String(predicted[i]));
    else {
      let line = labels[predicted[i]];
      for (let k = 0; k < proba.length; ++k) line += `,${proba[k][i]}`;
      lines.push(line);
    }
  }
  return lines.join("\n") + "\n";
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
