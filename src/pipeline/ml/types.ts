import type {z} from "zod";

/**
 * Dense, column-major features: `cols[j][i]` is feature j of row i. Column-major because every
 * estimator here scans one feature at a time (tree splits, gradient sums), and because DuckDB hands
 * us columns, so no row objects are ever built.
 *
 * Read-only to whoever receives them: a column a transform passes through unchanged is the table's
 * own array (no copy of a 2.4M-row column per feature), so writing into X would change the data.
 */
export interface Features {
  readonly rows: number;
  readonly cols: readonly Float64Array[];
}

export type Task = "classification" | "regression";

export interface FitOptions {
  /** Seed for every random choice the estimator makes (bootstrap, feature sampling, validation split). */
  seed?: number;
  /** Threads an estimator may use; results must not depend on it. Default: the estimator's own. */
  threads?: number;
  /** Number of classes for a classifier; default max(y) + 1. */
  nClasses?: number;
  /** Called with (done, total) units of work so long fits can show progress. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Held-out rows (the pipeline's validation split) an estimator that stops early watches instead
   * of holding out some of its training rows; estimators that do not stop early ignore them.
   */
  validation?: {X: Features; y: Int32Array | Float64Array};
}

/** A fitted model as plain JSON data: never code, never a pickle. */
export interface ModelJSON {
  type: string;
  task: Task;
  params: Record<string, unknown>;
  state: unknown;
  /**
   * A workspace model (`defineModel` in the user's module): the module as the config names it and
   * the digest of its code when it was fitted. Scoring with other code is refused.
   */
  module?: {path: string; digest: string};
}

interface EstimatorBase {
  readonly type: string;
  readonly task: Task;
  toJSON(): ModelJSON;
  /** Impurity-based importances (trees, forests, boosting), one per feature, summing to 1. */
  featureImportances?(): Float64Array;
  /** Linear models: coefficients per feature (one row per class for multinomial). */
  coefficients?(): Float64Array[];
}

export interface Classifier extends EstimatorBase {
  readonly task: "classification";
  /** y holds class indices 0..k-1. */
  fit(X: Features, y: Int32Array, options?: FitOptions): void | Promise<void>;
  /** One Float64Array per class: proba[k][i] is P(class k | row i). */
  predictProba(X: Features): Float64Array[];
  predict(X: Features): Int32Array;
}

export interface Regressor extends EstimatorBase {
  readonly task: "regression";
  fit(X: Features, y: Float64Array, options?: FitOptions): void | Promise<void>;
  predict(X: Features): Float64Array;
}

export type Estimator = Classifier | Regressor;

/**
 * What the registry needs to know of an estimator: its `model.type`, which tasks it serves, its
 * param schema (with defaults, validated at the edge) and how to build or restore one.
 */
export interface ModelSpec<P extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  tasks: readonly Task[];
  params: z.ZodType<P>;
  create(params: P, task: Task, options?: EstimatorOptions): Estimator;
  fromJSON(json: ModelJSON, options?: EstimatorOptions): Estimator;
}

/** What an estimator may report besides its results (a user model's clipped probabilities). */
export interface EstimatorOptions {
  warn?(message: string): void;
}
