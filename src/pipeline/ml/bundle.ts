import {DataError} from "../errors.ts";
import {modelSpec} from "./registry.ts";
import type {
  Classifier,
  Estimator,
  Features,
  EstimatorOptions,
  ModelJSON,
  ModelSpec,
  Regressor,
  Task
} from "./types.ts";
import type {InferencePipeline} from "./inference.ts";
import {
  categoricalProfile,
  numericProfile,
  PREDICTION_ROWS,
  type MonitorReference
} from "./monitor/profile.ts";
import {takeRows} from "./takeRows.ts";
import type {Column, ColumnInfo, Table} from "./table.ts";
import {
  applyColumnTransformer,
  fitColumnTransformer,
  type ColumnTransformerSpec,
  type ColumnTransformerState
} from "./transforms/columnTransformer.ts";

/**
 * Bump when the bundle layout changes; readers refuse versions they do not know. 2: the inference
 * pipeline and the raw input signature (1 had only the feature columns, kept readable).
 */
export const BUNDLE_FORMAT = 2;

/**
 * A trained model as plain data: how raw rows become features (the inference pipeline), the
 * fitted preprocessing, the estimator, and what it expects (its input signature). Everything needed
 * to score new rows; no code, no pickle.
 */
export interface ModelBundle {
  format: typeof BUNDLE_FORMAT;
  task: Task;
  target: string;
  /** Class labels, in the order of the estimator's class indices (classification only). */
  classes: string[];
  /**
   * Input signature: the raw columns a scoring input must have (those the inference pipeline
   * needs), with the types training read them as.
   */
  signature: SignatureColumn[];
  /** The feature columns the fitted preprocessing reads, as the pipeline computes them. */
  features: SignatureColumn[];
  /** How raw rows become feature rows: replayed steps, as data (none: rows come as features). */
  pipeline?: InferencePipeline;
  /** A few raw rows the model can score, for documentation and a first request. */
  example?: Record<string, unknown>[];
  transform: ColumnTransformerState;
  featureNames: string[];
  /** For each model feature, the input column it came from (one-hot columns roll up to it). */
  sourceColumn: string[];
  estimator: ModelJSON;
  /** Its training rows' profile, which `mlbook monitor` compares new rows with (absent before 0.x). */
  reference?: MonitorReference;
}

export interface SignatureColumn {
  name: string;
  /** "other" for a raw column the pipeline turns into features (a date, say). */
  kind: "numeric" | "categorical" | "other";
  type: string;
  nullable: boolean;
  categories?: string[];
}

export interface FitBundleOptions {
  target: string;
  task: Task;
  features: ColumnInfo[];
  transform: ColumnTransformerSpec;
  model: {type: string; params: Record<string, unknown>};
  /** The estimator's spec; default the built-in model of `model.type`. */
  spec?: ModelSpec;
  /** Where the estimator reports what it corrected (a user model's probabilities). */
  warn?: (message: string) => void;
  seed: number;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * The validation split's rows (features and target): an estimator that stops early watches
   * them, through the preprocessing fitted on the training rows. Rows without a target are left out.
   */
  validation?: Table;
  /** Profile the training rows for monitoring (default true): a cross-validation fold's model needs none. */
  profile?: boolean;
}

/** Fits preprocessing and estimator on training rows (the only rows it ever sees). */
export async function fitBundle(
  table: Table,
  options: FitBundleOptions
): Promise<{bundle: ModelBundle; estimator: Estimator}> {
  const {target, task, features} = options;
  const y = table.columns[target];
  let classes: string[] = [];
  let labels: Int32Array | Float64Array;
  if (task === "classification") {
    const encoded = encodeLabels(y, sortedCategories(table, target));
    classes = encoded.classes;
    labels = encoded.labels;
    if (classes.length < 2) {
      throw new DataError(
        `data.target: column ${JSON.stringify(target)} has a single class (${JSON.stringify(classes[0])}) in the training rows: nothing to classify`
      );
    }
  } else {
    if (!(y instanceof Float64Array))
      throw new DataError(
        `data.target: column ${JSON.stringify(target)} is not numeric, but data.task is regression`
      );
    labels = y;
  }
  const inputs: Table = {
    rows: table.rows,
    columns: Object.fromEntries(features.map((f) => [f.name, table.columns[f.name]]))
  };
  for (const f of features) {
    const column = inputs.columns[f.name];
    if (!(column instanceof Float64Array)) continue;
    const at = firstValue([column], (v) => v === Infinity || v === -Infinity);
    if (at)
      throw new DataError(
        `feature ${JSON.stringify(f.name)} is ${column[at.row]} in training row ${at.row + 1}: no model fits an infinite value (a step made it, e.g. a log of 0, or the data holds it)`
      );
  }
  const transform = fitColumnTransformer(inputs, options.transform);
  const {X, featureNames, sourceColumn} = applyColumnTransformer(transform, inputs);
  const spec = options.spec ?? modelSpec(options.model.type);
  const estimator = spec.create(spec.params.parse(options.model.params), task, {warn: options.warn});
  const validation = options.validation && heldOut(options.validation, transform, features, target, classes);
  const fitOptions = {
    seed: options.seed,
    threads: options.threads,
    onProgress: options.onProgress,
    ...(validation ? {validation} : {})
  };
  // A value no model can fit, named by feature and column rather than by index inside the model.
  const named = (j: number) =>
    `feature ${JSON.stringify(featureNames[j])}${sourceColumn[j] !== featureNames[j] ? ` (from column ${JSON.stringify(sourceColumn[j])})` : ""}`;
  const infinite = firstValue(X.cols, (v) => v === Infinity || v === -Infinity);
  if (infinite)
    throw new DataError(
      `${named(infinite.column)} is ${X.cols[infinite.column][infinite.row]} in training row ${infinite.row + 1}: no model fits an infinite value (a step made it, e.g. a log of 0, or the data holds it)`
    );
  try {
    if (estimator.task === "classification")
      await estimator.fit(X, labels as Int32Array, {...fitOptions, nClasses: classes.length});
    else await estimator.fit(X, labels as Float64Array, fitOptions);
  } catch (error) {
    // Models that take missing values (boosting) never get here for them; the others fail
    // inside, on an index: say which feature is missing where, and what to do.
    const missing = firstValue(X.cols, Number.isNaN);
    if (!missing) throw error;
    throw new DataError(
      `${named(missing.column)} is missing in training row ${missing.row + 1}, and ${options.model.type} needs complete data: impute it (transform.numeric.impute) or drop such rows (clean.columns.<column>.missing: drop)`,
      {cause: error}
    );
  }
  // The columns the fitted preprocessing reads: one it drops is no input of the model.
  const used = new Set(transform.columns.map((c) => c.name));
  const signature = features
    .filter((f) => used.has(f.name))
    .map((f): SignatureColumn => {
      const column = table.columns[f.name];
      const nullable =
        column instanceof Float64Array ? column.some(Number.isNaN) : column.some((v) => v === null);
      return f.kind === "numeric"
        ? {name: f.name, kind: "numeric", type: f.type, nullable}
        : {
            name: f.name,
            kind: "categorical",
            type: f.type,
            nullable,
            categories: sortedCategories(table, f.name) ?? distinct(column as (string | null)[])
          };
    });
  const bundle: ModelBundle = {
    format: BUNDLE_FORMAT,
    task,
    target,
    classes,
    // Until train adds the inference pipeline, the rows a model scores are its features.
    signature,
    features: signature,
    transform,
    featureNames,
    sourceColumn,
    estimator: estimator.toJSON(),
    ...(options.profile === false
      ? {}
      : {reference: monitorReference(table, signature, estimator, X, classes)})
  };
  return {bundle, estimator};
}

/** Held-out rows as an estimator reads them: transformed features, encoded labels, no missing target. */
function heldOut(
  table: Table,
  transform: ColumnTransformerState,
  features: readonly ColumnInfo[],
  target: string,
  classes: readonly string[]
): {X: Features; y: Int32Array | Float64Array} | undefined {
  const y = table.columns[target];
  const labels = classes.length ? encodeLabels(y, [...classes]).labels : (y as Float64Array);
  const keep: number[] = [];
  for (let i = 0; i < table.rows; ++i)
    if (classes.length ? labels[i] >= 0 : !Number.isNaN(labels[i])) keep.push(i);
  if (!keep.length) return undefined;
  const columns = Object.fromEntries(
    features.map((f) => {
      const c = table.columns[f.name];
      return [
        f.name,
        c instanceof Float64Array ? Float64Array.from(keep, (i) => c[i]) : keep.map((i) => c[i])
      ];
    })
  );
  const {X} = applyColumnTransformer(transform, {rows: keep.length, columns});
  return {
    X,
    y: classes.length ? Int32Array.from(keep, (i) => labels[i]) : Float64Array.from(keep, (i) => labels[i])
  };
}

/**
 * What monitoring compares new rows with: each input column of the training rows, and the model's
 * predictions on up to PREDICTION_ROWS of them (evenly spaced, so a slow model stays affordable).
 */
function monitorReference(
  table: Table,
  signature: readonly SignatureColumn[],
  estimator: Estimator,
  X: {rows: number; cols: readonly Float64Array[]},
  classes: readonly string[]
): MonitorReference {
  const columns = signature.map((f) => {
    const column = table.columns[f.name];
    return column instanceof Float64Array
      ? numericProfile(f.name, column)
      : categoricalProfile(f.name, column as (string | null)[]);
  });
  const step = Math.max(1, Math.ceil(X.rows / PREDICTION_ROWS));
  const rows = Int32Array.from({length: Math.ceil(X.rows / step)}, (_, i) => i * step);
  const sample = step === 1 ? X : takeRows(X, rows);
  const prediction =
    estimator.task === "classification"
      ? categoricalProfile(
          "prediction",
          Array.from(estimator.predict(sample), (k) => classes[k])
        )
      : numericProfile("prediction", estimator.predict(sample));
  return {rows: table.rows, columns, prediction};
}

export interface Predictions {
  /** Class index (classification) or value (regression) per row. */
  predicted: Int32Array | Float64Array;
  /** Per-class probability columns (classification only). */
  proba?: Float64Array[];
}

/** The bundle's fitted estimator: by `spec` (a workspace model's), else the built-in model of its type. */
export function restoreEstimator(
  bundle: ModelBundle,
  spec?: ModelSpec,
  options: EstimatorOptions = {}
): Estimator {
  return (spec ?? modelSpec(bundle.estimator.type)).fromJSON(upgradeBundle(bundle).estimator, options);
}

/**
 * A bundle in today's layout: format 1 (written before the inference pipeline) scores rows that
 * come as its features. Refuses formats it does not know.
 */
export function upgradeBundle(bundle: ModelBundle): ModelBundle {
  const format = (bundle as {format: number}).format;
  if (format === BUNDLE_FORMAT) return bundle;
  if (format === 1) return {...bundle, format: BUNDLE_FORMAT, features: bundle.signature};
  throw new DataError(`model bundle format ${format} is not supported (expected ${BUNDLE_FORMAT} or 1)`);
}

/** Scores rows with a bundle. Columns must already match the signature (see checkSignature). */
export function predictBundle(
  bundle: ModelBundle,
  table: Table,
  estimator = restoreEstimator(bundle)
): Predictions {
  const inputs: Table = {
    rows: table.rows,
    columns: Object.fromEntries(upgradeBundle(bundle).features.map((s) => [s.name, table.columns[s.name]]))
  };
  const {X} = applyColumnTransformer(bundle.transform, inputs);
  if (estimator.task === "classification") {
    const proba = (estimator as Classifier).predictProba(X);
    return {predicted: argmax(proba, table.rows), proba};
  }
  return {predicted: (estimator as Regressor).predict(X)};
}

/** Class index per row; the first class wins ties, as numpy's argmax does. */
export function argmax(proba: Float64Array[], rows: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; ++i) {
    let best = proba[0][i];
    for (let k = 1; k < proba.length; ++k) {
      if (proba[k][i] > best) {
        best = proba[k][i];
        out[i] = k;
      }
    }
  }
  return out;
}

/** Labels → class indices in sorted label order (sklearn's LabelEncoder order); missing: -1. */
export function encodeLabels(column: Column, classes?: string[]): {classes: string[]; labels: Int32Array} {
  const known = classes ?? distinctSorted(column);
  const index = new Map(known.map((c, i) => [c, i]));
  const labels = new Int32Array(column.length);
  if (column instanceof Float64Array) {
    for (let i = 0; i < column.length; ++i)
      labels[i] = Number.isNaN(column[i]) ? -1 : (index.get(String(column[i])) ?? -1);
  } else {
    for (let i = 0; i < column.length; ++i) {
      const v = column[i];
      labels[i] = v === null ? -1 : (index.get(v) ?? -1);
    }
  }
  return {classes: known, labels};
}

/** The first value `bad` picks, column by column: its column and row, else undefined. */
function firstValue(
  cols: readonly Float64Array[],
  bad: (v: number) => boolean
): {column: number; row: number} | undefined {
  for (let j = 0; j < cols.length; ++j) {
    const col = cols[j];
    for (let i = 0; i < col.length; ++i) if (bad(col[i])) return {column: j, row: i};
  }
  return undefined;
}

/** A categorical column's distinct values in JS sort order, when the table was read with them. */
function sortedCategories(table: Table, column: string): string[] | undefined {
  return table.categories?.[column]?.slice().sort();
}

function distinctSorted(column: Column): string[] {
  if (column instanceof Float64Array) {
    return [...new Set(Array.from(column).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b).map(String);
  }
  return distinct(column);
}

function distinct(column: (string | null)[]): string[] {
  return [...new Set(column.filter((v): v is string => v !== null))].sort();
}
