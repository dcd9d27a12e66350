import {z} from "zod";
import {
  encodeLabels,
  predictBundle,
  restoreEstimator,
  upgradeBundle,
  type FitBundleOptions,
  type ModelBundle,
  type Predictions
} from "../ml/bundle.ts";
import type {Column, Table} from "../ml/table.ts";
import {crossValidateBundle, type CvResult} from "../ml/evaluation/crossValidateBundle.ts";
import {classCurves, scoreHistogram} from "../ml/evaluation/curves.ts";
import {importances} from "../ml/evaluation/importances.ts";
import {DataError} from "../errors.ts";
import {classificationReport, metricNames, regressionReport} from "../ml/metrics/index.ts";
import {loadModelSpec, specForBundle} from "../engine/model.ts";
import {workspaceModules} from "../engine/moduleSource.ts";
import {defineStep, type StepContext} from "../engine/step.ts";
import type {ModelSpec} from "../ml/types.ts";
import {fitConfig, modelModules} from "./fitConfig.ts";
import {describe, readTable} from "../engine/table.ts";

export const evaluateParams = z
  .object({
    /**
     * Permutation importance on the test rows: metric (default: the selection metric, else
     * balanced_accuracy, which an imbalanced task does not flatter, or r2), repeats, row cap.
     */
    permutation: z
      .object({
        metric: z.string().optional(),
        repeats: z.number().int().min(1).default(5),
        max_rows: z.number().int().min(10).default(5000),
        seed: z.number().int().default(0)
      })
      .strict()
      .prefault({}),
    /** Predicted-vs-actual points kept for regression plots. */
    sample_points: z.number().int().min(0).default(2000),
    /** K-fold cross-validation on the training rows: per-fold and mean ± std metrics (cv_<metric>). */
    cv: z
      .object({
        folds: z.number().int().min(2).default(5),
        stratified: z.boolean().default(true),
        shuffle: z.boolean().default(true),
        seed: z.number().int().default(0),
        /** Default: accuracy, f1_macro (+ roc_auc for two classes); regression r2, rmse, mae. */
        metrics: z.array(z.string()).optional()
      })
      .strict()
      .optional()
  })
  .strict();

export type EvaluateParams = z.infer<typeof evaluateParams>;

/**
 * `selection:` — how a sweep picks its best job: by this metric's cross-validated mean on the
 * training rows (cv_<metric>, which needs evaluate.cv). Default: the first headline metric.
 */
export const selectionSchema = z
  .object({
    metric: z.string(),
    goal: z.enum(["maximize", "minimize"]).optional(),
    /**
     * Which held-out rows pick the winner: "cv" (default), the cross-validated folds of the
     * training rows (cv_<metric>, needs evaluate.cv); or "validation", the validation split
     * (val_<metric>, needs split.validation_size). Never the test rows.
     */
    on: z.enum(["cv", "validation"]).default("cv")
  })
  .strict();
export type SelectionConfig = z.infer<typeof selectionSchema>;

/** What cross-validation refits in each fold: the train step's settings, from the config. */
export const evaluateStepParams = evaluateParams.extend({
  fit: z
    .object({
      transform: z.unknown(),
      model: z.object({type: z.string(), params: z.record(z.string(), z.unknown())}),
      seed: z.number().int()
    })
    .optional(),
  /** The config's folder, where a model module is found (not in the key). */
  base: z.string().default(".")
});

/** Scores the held-out test rows with the trained bundle: metrics, curves and importances. */
export const evaluate = defineStep({
  name: "evaluate",
  module: import.meta.url,
  params: evaluateStepParams,
  sections: {evaluate: evaluateParams.prefault({}), selection: selectionSchema.optional()},
  // A workspace model's code scores the test rows (and refits in cross-validation).
  modules: modelModules,
  inputs: {
    test: {kind: "table"},
    train: {kind: "table"},
    model: {kind: "json"},
    validation: {kind: "table", optional: true}
  },
  outputs: {
    metrics: {kind: "json", artifact: "metrics", type: "metrics"},
    curves: {kind: "json", artifact: "curves", type: "report"},
    importances: {kind: "json", artifact: "importances", type: "report"},
    predictions: {
      kind: "table",
      artifact: "predictions",
      type: "dataset",
      description: "the test rows scored, in their order"
    }
  },
  validate(config) {
    const selection = config.selection as SelectionConfig | undefined;
    if (!selection) return [];
    const issues = [];
    if (selection.on === "validation") {
      if (!((config.split as {validation_size?: number} | undefined)?.validation_size ?? 0))
        issues.push({
          path: ["selection", "on"],
          message: "selection on validation picks by the validation split: set split.validation_size"
        });
    } else if (!(config.evaluate as z.infer<typeof evaluateParams>).cv)
      issues.push({
        path: ["selection"],
        message:
          "selection picks by cross-validated scores on the training rows: add evaluate.cv, or split.validation_size with selection.on: validation (picking on the test split would leak it)"
      });
    if (!metricNames.includes(selection.metric))
      issues.push({path: ["selection", "metric"], message: `expected one of ${metricNames.join(", ")}`});
    return issues;
  },
  configure(config, env) {
    const own = config.evaluate as z.infer<typeof evaluateParams>;
    const {transform, model, train} = fitConfig(config);
    // Importance is measured on what the pipeline is judged by: the selection metric, when set.
    const selection = config.selection as SelectionConfig | undefined;
    const permutation = {...own.permutation, metric: own.permutation.metric ?? selection?.metric};
    return {
      // Cross-validation refits the train step's settings in each fold (already in train's key).
      params: {...own, permutation, fit: {transform, model, seed: train.seed}, base: env.base},
      identity: {evaluate: {...own, permutation}},
      // validation (the validation split, when split makes one) binds by name.
      inputs: {test: "split.test", train: "split.train", model: "train.model"}
    };
  },
  async run(inputs, params, ctx) {
    const bundle = upgradeBundle(inputs.model as ModelBundle);
    const spec = await specForBundle(bundle.estimator, workspaceModules(params.base));
    const table = await readHeldOut(ctx, inputs.test, bundle, "test");
    const estimator = restoreEstimator(bundle, spec, {warn: ctx.log});
    const {predicted, proba} = predictBundle(bundle, table, estimator);
    const predictions = await storePredictions(ctx, bundle, table.columns[bundle.target], {predicted, proba});
    const cv =
      params.cv && params.fit
        ? await crossValidate(
            ctx,
            inputs.train,
            bundle,
            params,
            await loadModelSpec(params.fit.model.type, params.base)
          )
        : undefined;
    const validation = inputs.validation
      ? await heldOutReport(ctx, inputs.validation, bundle, estimator, "validation")
      : undefined;
    const permutation = {
      metric: params.permutation.metric ?? (bundle.task === "classification" ? "balanced_accuracy" : "r2"),
      repeats: params.permutation.repeats,
      seed: params.permutation.seed,
      maxRows: params.permutation.max_rows
    };
    if (bundle.task === "classification") {
      const labels = knownLabels(table, bundle, "test");
      const report = classificationReport(labels, predicted as Int32Array, proba, bundle.classes);
      return {
        metrics: {
          task: bundle.task,
          rows: table.rows,
          classes: bundle.classes,
          ...report,
          ...(cv ? {cv} : {}),
          ...(validation ? {validation} : {})
        },
        curves: {
          classes: classCurves(labels, proba!, bundle.classes),
          ...(bundle.classes.length === 2 ? {scores: scoreHistogram(labels, proba![1])} : {})
        },
        importances: importances(bundle, estimator, table, labels, permutation),
        predictions
      };
    }
    const actual = table.columns[bundle.target] as Float64Array;
    const report = regressionReport(actual, predicted as Float64Array);
    const step = Math.max(1, Math.ceil(table.rows / Math.max(1, params.sample_points)));
    const points: {actual: number; predicted: number}[] = [];
    for (let i = 0; i < table.rows && points.length < params.sample_points; i += step)
      points.push({actual: actual[i], predicted: predicted[i]});
    return {
      metrics: {
        task: bundle.task,
        rows: table.rows,
        ...report,
        ...(cv ? {cv} : {}),
        ...(validation ? {validation} : {})
      },
      curves: {points},
      importances: importances(bundle, estimator, table, actual, permutation),
      predictions
    };
  }
});

/**
 * The test rows' predictions, in the test rows' order: the actual value, the prediction and each
 * class's probability (what `mlbook predict` writes for the same rows). A table of this step's
 * connection, stored as its output.
 */
async function storePredictions(
  ctx: StepContext,
  bundle: ModelBundle,
  actual: Column,
  {predicted, proba}: Predictions
): Promise<string> {
  const name = "__evaluate_predictions";
  const classification = bundle.task === "classification";
  await ctx.db.createTable(
    name,
    [
      {
        name: "actual",
        type: classification ? "VARCHAR" : "DOUBLE",
        get: (i) =>
          actual instanceof Float64Array ? (classification ? String(actual[i]) : actual[i]) : actual[i]
      },
      classification
        ? {name: "prediction", type: "VARCHAR", get: (i) => bundle.classes[predicted[i]]}
        : {name: "prediction", type: "DOUBLE", get: (i) => predicted[i]},
      ...(proba ?? []).map((p, k) => ({
        name: `proba_${bundle.classes[k]}`,
        type: "DOUBLE" as const,
        get: (i: number) => p[i]
      }))
    ],
    predicted.length
  );
  return `SELECT * FROM ${name}`;
}

/** The model's report on other held-out rows (the validation split): what the test rows get. */
async function heldOutReport(
  ctx: StepContext,
  relation: string,
  bundle: ModelBundle,
  estimator: ReturnType<typeof restoreEstimator>,
  what: string
): Promise<Record<string, unknown>> {
  const table = await readHeldOut(ctx, relation, bundle, what);
  const {predicted, proba} = predictBundle(bundle, table, estimator);
  if (bundle.task !== "classification")
    return {
      rows: table.rows,
      ...regressionReport(table.columns[bundle.target] as Float64Array, predicted as Float64Array)
    };
  const labels = knownLabels(table, bundle, what);
  return {rows: table.rows, ...classificationReport(labels, predicted as Int32Array, proba, bundle.classes)};
}

/** Held-out rows (test, validation) with the model's features and the target, each checked present. */
async function readHeldOut(ctx: StepContext, relation: string, bundle: ModelBundle, what: string) {
  const columns = new Map((await describe(ctx.db, relation)).map((c) => [c.name, c]));
  for (const s of [...bundle.features.map((s) => s.name), bundle.target]) {
    if (!columns.has(s)) throw new DataError(`evaluate: the ${what} rows lack column ${JSON.stringify(s)}`);
  }
  return readTable(ctx.db, relation, [
    ...bundle.features.map((s) => columns.get(s.name)!),
    columns.get(bundle.target)!
  ]);
}

/** Held-out rows' class indices; a class the training rows never had is an error naming the row. */
function knownLabels(table: Table, bundle: ModelBundle, what: string): Int32Array {
  const {labels} = encodeLabels(table.columns[bundle.target], bundle.classes);
  const unknown = labels.indexOf(-1);
  if (unknown >= 0)
    throw new DataError(
      `evaluate: ${what} row ${unknown + 1} has target ${JSON.stringify(table.columns[bundle.target][unknown])}, a class the training rows never had`
    );
  return labels;
}

async function crossValidate(
  ctx: StepContext,
  relation: string,
  bundle: ModelBundle,
  params: z.infer<typeof evaluateStepParams>,
  spec: ModelSpec
): Promise<CvResult> {
  const cv = params.cv!;
  const fit = params.fit!;
  const columns = new Map((await describe(ctx.db, relation)).map((c) => [c.name, c]));
  const features = bundle.features.map((s) => columns.get(s.name)!);
  const table = await readTable(ctx.db, relation, [...features, columns.get(bundle.target)!]);
  const metrics =
    cv.metrics ??
    (bundle.task === "classification"
      ? ["accuracy", "f1_macro", ...(bundle.classes.length === 2 ? ["roc_auc"] : [])]
      : ["r2", "rmse", "mae"]);
  return crossValidateBundle(
    table,
    {
      target: bundle.target,
      task: bundle.task,
      features,
      transform: fit.transform as FitBundleOptions["transform"],
      model: fit.model,
      spec,
      warn: ctx.log,
      seed: fit.seed
    },
    {folds: cv.folds, stratified: cv.stratified, shuffle: cv.shuffle, seed: cv.seed, metrics}
  );
}
