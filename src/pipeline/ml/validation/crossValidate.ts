import {z} from "zod";
import {ConfigError} from "../../errors.ts";
import {classCount} from "../metrics/labels.ts";
import {metricNames, metricNeedsProba, metricTask, scoreByName} from "../metrics/scoreByName.ts";
import {takeRows, takeValues} from "../takeRows.ts";
import type {Estimator, Features} from "../types.ts";
import {parseParams} from "../transforms/parseParams.ts";
import {kFold, stratifiedKFold} from "./kfold.ts";

export const crossValidateOptions = z
  .object({
    /** Number of folds; default 5, as sklearn's cv=5. */
    folds: z.int().min(2).default(5),
    /** Stratify folds by class; default true for classifiers and false otherwise, as sklearn's cv=int. */
    stratified: z.boolean().optional(),
    /** Shuffle rows before splitting; default false, as sklearn's cv=int (contiguous folds). */
    shuffle: z.boolean().default(false),
    /** Seed of the shuffle and of every fold's fit. */
    seed: z.int().default(0),
    /** Metric names (see scoreByName); default the estimator's own score: accuracy or r2. */
    metrics: z
      .array(z.enum(metricNames as [string, ...string[]]))
      .min(1)
      .optional()
  })
  .strict();

export type CrossValidateOptions = z.input<typeof crossValidateOptions>;

export interface CrossValidation {
  /** One record of metric → score per fold, in fold order. */
  folds: Record<string, number>[];
  mean: Record<string, number>;
  /** Population standard deviation over the folds (numpy's default ddof=0, as sklearn reports). */
  std: Record<string, number>;
}

/**
 * Fits a fresh model per fold on the training rows and scores it on the held-out ones. Classifiers
 * are told the class count of the whole y, so every fold's probabilities have the same columns even
 * when a training fold misses a rare class.
 */
export async function crossValidate(
  makeModel: () => Estimator,
  X: Features,
  y: Int32Array | Float64Array,
  options?: CrossValidateOptions
): Promise<CrossValidation> {
  const opts = parseParams(crossValidateOptions, options, "crossValidate");
  if (y.length !== X.rows) throw new ConfigError(`crossValidate: X has ${X.rows} rows but y has ${y.length}`);
  const task = makeModel().task;
  const metrics = opts.metrics ?? [task === "classification" ? "accuracy" : "r2"];
  for (const m of metrics) {
    if (metricTask(m) !== task) {
      throw new ConfigError(`invalid crossValidate.metrics: "${m}" (expected a ${task} metric)`);
    }
  }
  const target = task === "classification" ? asLabels(y) : Float64Array.from(y);
  const nClasses = target instanceof Int32Array ? classCount(target) : undefined;
  const split = {folds: opts.folds, shuffle: opts.shuffle, seed: opts.seed};
  const stratified = opts.stratified ?? task === "classification";
  if (stratified && !(target instanceof Int32Array)) {
    throw new ConfigError("invalid crossValidate.stratified: true (expected false for a regression target)");
  }
  const splits = stratified ? stratifiedKFold(target, split) : kFold(X.rows, split);
  const needsProba = metrics.some(metricNeedsProba),
    needsLabels = !metrics.every(metricNeedsProba);

  const folds: Record<string, number>[] = [];
  for (const {train, test} of splits) {
    const model = makeModel();
    const Xtest = takeRows(X, test),
      yTest = takeValues(target, test);
    const record: Record<string, number> = {};
    if (model.task === "classification") {
      await model.fit(takeRows(X, train), takeValues(target as Int32Array, train), {
        seed: opts.seed,
        nClasses
      });
      // Label and probability metrics read predict and predictProba, as sklearn's scorers do.
      const proba = needsProba ? model.predictProba(Xtest) : undefined;
      const predicted = needsLabels ? model.predict(Xtest) : new Int32Array(0);
      for (const m of metrics) record[m] = scoreByName(m, yTest, predicted, proba);
    } else {
      await model.fit(takeRows(X, train), takeValues(target as Float64Array, train), {seed: opts.seed});
      const predicted = model.predict(Xtest);
      for (const m of metrics) record[m] = scoreByName(m, yTest, predicted);
    }
    folds.push(record);
  }
  return {folds, ...summarise(folds, metrics)};
}

function summarise(folds: Record<string, number>[], metrics: string[]): Omit<CrossValidation, "folds"> {
  const mean: Record<string, number> = {},
    std: Record<string, number> = {};
  for (const m of metrics) {
    const mu = folds.reduce((s, f) => s + f[m], 0) / folds.length;
    mean[m] = mu;
    std[m] = Math.sqrt(folds.reduce((s, f) => s + (f[m] - mu) ** 2, 0) / folds.length);
  }
  return {mean, std};
}

function asLabels(y: Int32Array | Float64Array): Int32Array {
  if (y instanceof Int32Array) return y;
  classCount(y); // throws on a value that is not a class index
  return Int32Array.from(y);
}
