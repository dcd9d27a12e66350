import {z} from "zod";
import {
  encodeLabels,
  predictBundle,
  restoreEstimator,
  type FitBundleOptions,
  type ModelBundle
} from "../ml/bundle.ts";
import {crossValidateBundle, type CvResult} from "../ml/evaluation/crossValidateBundle.ts";
import {classCurves, scoreHistogram} from "../ml/evaluation/curves.ts";
import {importances} from "../ml/evaluation/importances.ts";
import {DataError} from "../errors.ts";
import {classificationReport, regressionReport} from "../ml/metrics/index.ts";
import {defineStep, jsonInput, tableInput, type StepContext} from "../engine/step.ts";
import {describe, readTable} from "../engine/table.ts";

export const evaluateParams = z
  .object({
    /** Permutation importance on the test rows: metric (default accuracy / r2), repeats, row cap. */
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

/** What cross-validation refits in each fold: the train step's settings, passed by the graph. */
export const evaluateStepParams = evaluateParams.extend({
  fit: z
    .object({
      transform: z.unknown(),
      model: z.object({type: z.string(), params: z.record(z.string(), z.unknown())}),
      seed: z.number().int()
    })
    .optional()
});

/** Scores the held-out test rows with the trained bundle: metrics, curves and importances. */
export const evaluate = defineStep({
  name: "evaluate",
  inputs: ["split", "train"],
  params: evaluateStepParams,
  module: import.meta.url,
  async run(inputs, params, ctx) {
    const bundle = jsonInput<ModelBundle>(inputs, "train", "model");
    const relation = tableInput(inputs, "split", "test");
    const columns = new Map((await describe(ctx.db, relation)).map((c) => [c.name, c]));
    for (const s of [...bundle.signature.map((s) => s.name), bundle.target]) {
      if (!columns.has(s)) throw new DataError(`evaluate: the test rows lack column ${JSON.stringify(s)}`);
    }
    const wanted = [...bundle.signature.map((s) => columns.get(s.name)!), columns.get(bundle.target)!];
    const table = await readTable(ctx.db, relation, wanted);
    const estimator = restoreEstimator(bundle);
    const {predicted, proba} = predictBundle(bundle, table, estimator);
    const cv =
      params.cv && params.fit
        ? await crossValidate(ctx, tableInput(inputs, "split", "train"), bundle, params)
        : undefined;
    const permutation = {
      metric: params.permutation.metric ?? (bundle.task === "classification" ? "accuracy" : "r2"),
      repeats: params.permutation.repeats,
      seed: params.permutation.seed,
      maxRows: params.permutation.max_rows
    };
    if (bundle.task === "classification") {
      const {labels} = encodeLabels(table.columns[bundle.target], bundle.classes);
      const unknown = labels.indexOf(-1);
      if (unknown >= 0) {
        throw new DataError(
          `evaluate: test row ${unknown + 1} has target ${JSON.stringify(table.columns[bundle.target][unknown])}, a class the training rows never had`
        );
      }
      const report = classificationReport(labels, predicted as Int32Array, proba, bundle.classes);
      return {
        json: {
          metrics: {
            task: bundle.task,
            rows: table.rows,
            classes: bundle.classes,
            ...report,
            ...(cv ? {cv} : {})
          },
          curves: {
            classes: classCurves(labels, proba!, bundle.classes),
            ...(bundle.classes.length === 2 ? {scores: scoreHistogram(labels, proba![1])} : {})
          },
          importances: importances(bundle, estimator, table, labels, permutation)
        }
      };
    }
    const actual = table.columns[bundle.target] as Float64Array;
    const report = regressionReport(actual, predicted as Float64Array);
    const step = Math.max(1, Math.ceil(table.rows / Math.max(1, params.sample_points)));
    const points: {actual: number; predicted: number}[] = [];
    for (let i = 0; i < table.rows && points.length < params.sample_points; i += step)
      points.push({actual: actual[i], predicted: predicted[i]});
    return {
      json: {
        metrics: {task: bundle.task, rows: table.rows, ...report, ...(cv ? {cv} : {})},
        curves: {points},
        importances: importances(bundle, estimator, table, actual, permutation)
      }
    };
  }
});

async function crossValidate(
  ctx: StepContext,
  relation: string,
  bundle: ModelBundle,
  params: z.infer<typeof evaluateStepParams>
): Promise<CvResult> {
  const cv = params.cv!;
  const fit = params.fit!;
  const columns = new Map((await describe(ctx.db, relation)).map((c) => [c.name, c]));
  const features = bundle.signature.map((s) => columns.get(s.name)!);
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
      seed: fit.seed
    },
    {folds: cv.folds, stratified: cv.stratified, shuffle: cv.shuffle, seed: cv.seed, metrics}
  );
}
