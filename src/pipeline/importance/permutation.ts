import {z} from "zod";
import {ConfigError} from "../errors.ts";
import {metricGoal, metricNames, metricNeedsProba, metricTask, scoreByName} from "../metrics/scoreByName.ts";
import type {Estimator, Features} from "../models/types.ts";
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
  const score = (features: Features): number => sign * scoreModel(model, metric, features, y);

  const baseline = score(X);
  const p = X.cols.length,
    n = X.rows;
  const rng = createRng(opts.seed);
  const importances = Array.from({length: p}, () => new Float64Array(opts.nRepeats));
  for (let j = 0; j < p; ++j) {
    // One stream per feature, drawn in order, like sklearn's per-column random state.
    const featureRng = rng.fork();
    const original = X.cols[j];
    const shuffled = new Float64Array(n);
    const cols = X.cols.slice();
    cols[j] = shuffled;
    const order = Int32Array.from({length: n}, (_, i) => i);
    for (let r = 0; r < opts.nRepeats; ++r) {
      featureRng.shuffle(order);
      for (let i = 0; i < n; ++i) shuffled[i] = original[order[i]];
      importances[j][r] = baseline - score({rows: n, cols});
    }
  }
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

function scoreModel(model: Estimator, metric: string, X: Features, y: Int32Array | Float64Array): number {
  if (model.task === "regression") return scoreByName(metric, y, model.predict(X));
  if (metricNeedsProba(metric)) return scoreByName(metric, y, new Int32Array(0), model.predictProba(X));
  return scoreByName(metric, y, model.predict(X));
}
