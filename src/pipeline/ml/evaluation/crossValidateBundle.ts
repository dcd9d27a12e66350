import {encodeLabels, fitBundle, predictBundle, type FitBundleOptions} from "../bundle.ts";
import {metricNeedsProba, scoreByName} from "../metrics/index.ts";
import type {Table} from "../table.ts";
import {kFold, stratifiedKFold} from "../validation/kfold.ts";

export interface CvOptions {
  folds: number;
  stratified: boolean;
  shuffle: boolean;
  seed: number;
  metrics: string[];
}

export interface CvResult {
  folds: Record<string, number>[];
  mean: Record<string, number>;
  std: Record<string, number>;
  options: CvOptions;
}

/**
 * K-fold cross-validation of the whole bundle on the training rows: each fold fits its own
 * preprocessing and estimator on the other folds, so no fold's statistics leak into its score.
 */
export async function crossValidateBundle(
  table: Table,
  fit: FitBundleOptions,
  options: CvOptions
): Promise<CvResult> {
  const y = table.columns[fit.target];
  const labels = fit.task === "classification" ? encodeLabels(y).labels : undefined;
  const split = {folds: options.folds, shuffle: options.shuffle, seed: options.seed};
  const folds = labels && options.stratified ? stratifiedKFold(labels, split) : kFold(table.rows, split);
  const scores: Record<string, number>[] = [];
  for (const fold of folds) {
    const {bundle, estimator} = await fitBundle(take(table, fold.train), {...fit, profile: false});
    const held = take(table, fold.test);
    const {predicted, proba} = predictBundle(bundle, held, estimator);
    const truth =
      fit.task === "classification"
        ? encodeLabels(held.columns[fit.target], bundle.classes).labels
        : (held.columns[fit.target] as Float64Array);
    const score: Record<string, number> = {};
    for (const metric of options.metrics) {
      if (metricNeedsProba(metric) && !proba) continue;
      score[metric] = scoreByName(metric, truth, predicted, proba);
    }
    scores.push(score);
  }
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const metric of Object.keys(scores[0] ?? {})) {
    const values = scores.map((s) => s[metric]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[metric] = m;
    std[metric] = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
  }
  return {folds: scores, mean, std, options};
}

function take(table: Table, rows: Int32Array): Table {
  const columns: Table["columns"] = {};
  for (const [name, column] of Object.entries(table.columns)) {
    columns[name] =
      column instanceof Float64Array
        ? Float64Array.from(rows, (i) => column[i])
        : Array.from(rows, (i) => column[i]);
  }
  return {rows: rows.length, columns};
}
