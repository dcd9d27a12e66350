import {z} from "zod";
import {ConfigError} from "../../errors.ts";
import {metricGoal, metricNames, metricNeedsProba, metricTask, scoreByName} from "../metrics/scoreByName.ts";
import type {Estimator, Features} from "../types.ts";
import {createRng} from "../rng.ts";
import {parseParams} from "../transforms/parseParams.ts";

export const permutationOptions = z
  .object({
    /** Metric name (see scoreByName); default the estimator's own score: accuracy or r2, as sklearn's scoring=None. */
    metric: z.enum(metricNames as [string, ...string[]]).optional(),
    /** Shuffles per feature; default 5, as sklearn's. */
    nRepeats: z.int().min(1).default(5),
    /** Seed of the shuffles. */
    seed: z.int().default(0)
  })
  .strict();

export type PermutationOptions = z.input<typeof permutationOptions>;

export interface PermutationImportance {
  /** Mean drop in score per feature. */
  mean: Float64Array;
  /** Population std of the drops over repeats (numpy's default, as sklearn reports). */
  std: Float64Array;
  /** importances[j][r]: drop in score when feature j is shuffled in repeat r. */
  importances: Float64Array[];
  /** The unshuffled score, in the "larger is better" sign used for the drops. */
  baseline: number;
}

/**
 * sklearn's permutation_importance: how much the score of a fitted model on held-out rows drops
 * when one feature's values are shuffled, breaking its link to the target. Scores are taken larger is
 * better, so a loss is negated as sklearn's scorers do (importance = permuted loss − baseline loss).
 * X is never mutated: each feature is shuffled in a copy of its column.
 */
export function permutationImportance(
  model: Estimator,
  X: Features,
  y: Int32Array | Float64Array,
  options?: PermutationOptions
): PermutationImportance {
  const opts = parseParams(permutationOptions, options, "permutationImportance");
  const metric = opts.metric ?? (model.task === "classification" ? "accuracy" : "r2");
  if (metricTask(metric) !== model.task) {
    throw new ConfigError(
      `invalid permutationImportance.metric: "${metric}" (expected a ${model.task} metric)`
    );
  }
  if (y.length !== X.rows)
    throw new ConfigError(`permutationImportance: X has ${X.rows} rows but y has ${y.length}`);
  const sign = metricGoal(metric) === "max" ? 1 : -1;
  const baseline = sign * scoreBlocks(model, metric, X, y, 1)[0];
  const p = X.cols.length,
    n = X.rows,
    repeats = opts.nRepeats;
  const rng = createRng(opts.seed);
  const importances = Array.from({length: p}, () => new Float64Array(repeats));
  // Every (feature, repeat) copy of X with that feature shuffled, stacked into as few predictions
  // as fit a budget of cells: one large prediction runs on every core, where many small ones run
  // on one. Each row's prediction is the same either way.
  const perBatch = Math.max(1, Math.floor(BATCH_CELLS / Math.max(1, n * p)));
  const blocks: {j: number; r: number; shuffled: Float64Array}[] = [];
  const flush = () => {
    const rows = blocks.length * n;
    const cols = X.cols.map((original, f) => {
      const col = new Float64Array(rows);
      blocks.forEach((b, i) => col.set(b.j === f ? b.shuffled : original, i * n));
      return col;
    });
    const scores = scoreBlocks(model, metric, {rows, cols}, y, blocks.length);
    blocks.forEach((b, i) => (importances[b.j][b.r] = baseline - sign * scores[i]));
    blocks.length = 0;
  };
  for (let j = 0; j < p; ++j) {
    // One stream per feature, drawn in order, like sklearn's per-column random state.
    const featureRng = rng.fork();
    const original = X.cols[j];
    const order = Int32Array.from({length: n}, (_, i) => i);
    for (let r = 0; r < repeats; ++r) {
      featureRng.shuffle(order);
      const shuffled = new Float64Array(n);
      for (let i = 0; i < n; ++i) shuffled[i] = original[order[i]];
      blocks.push({j, r, shuffled});
      if (blocks.length === perBatch) flush();
    }
  }
  if (blocks.length) flush();
  const mean = new Float64Array(p),
    std = new Float64Array(p);
  for (let j = 0; j < p; ++j) {
    const v = importances[j];
    const mu = v.reduce((s, x) => s + x, 0) / v.length;
    mean[j] = mu;
    std[j] = Math.sqrt(v.reduce((s, x) => s + (x - mu) ** 2, 0) / v.length);
  }
  return {mean, std, importances, baseline};
}

/** Rows × features predicted at once when scoring shuffled copies (32 MB of float64). */
const BATCH_CELLS = 4_000_000;

/**
 * The metric on each of `count` stacked copies of the held-out rows (y is one copy's targets),
 * from one prediction over them all.
 */
function scoreBlocks(
  model: Estimator,
  metric: string,
  X: Features,
  y: Int32Array | Float64Array,
  count: number
): number[] {
  const n = y.length;
  const block = <T extends Int32Array | Float64Array>(a: T, i: number) => a.subarray(i * n, (i + 1) * n) as T;
  if (model.task === "regression") {
    const predicted = model.predict(X);
    return Array.from({length: count}, (_, i) => scoreByName(metric, y, block(predicted, i)));
  }
  if (metricNeedsProba(metric)) {
    const proba = model.predictProba(X);
    return Array.from({length: count}, (_, i) =>
      scoreByName(
        metric,
        y,
        new Int32Array(0),
        proba.map((p) => block(p, i))
      )
    );
  }
  const predicted = model.predict(X);
  return Array.from({length: count}, (_, i) => scoreByName(metric, y, block(predicted, i)));
}
