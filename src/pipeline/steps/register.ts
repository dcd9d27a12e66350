import {z} from "zod";
import {upgradeBundle, type ModelBundle} from "../ml/bundle.ts";
import {ConfigError} from "../errors.ts";
import {quoteIdent} from "../engine/sql.ts";
import {defineStep} from "../engine/step.ts";
import type {CriterionCheck, Registration} from "../engine/registration.ts";
import {headlineMetrics, lowerIsBetter} from "../ml/metrics/headline.ts";

export const registerParams = z
  .object({
    /** The registered model's name (`penguins-model`); versions are numbered per name. */
    name: z.string().regex(/^[A-Za-z][\w.-]*$/, "expected letters, digits, _ . - (no : or @)"),
    /** Validation criteria on test metrics; every one must pass to register (default: none). */
    criteria: z
      .array(
        z
          .object({
            /** A headline metric: f1_macro, accuracy, roc_auc, r2, rmse … */
            metric: z.string(),
            threshold: z.number(),
            /** Default: "lower" for losses and errors (log_loss, rmse …), else "higher". */
            direction: z.enum(["higher", "lower"]).optional()
          })
          .strict()
      )
      .default([]),
    /** Training rows kept in the bundle as an input example (default 5). */
    example_rows: z.number().int().min(0).default(5)
  })
  .strict();
export type RegisterParams = z.infer<typeof registerParams>;

/** The exported model: the bundle plus what a consumer needs to trust and call it. */
export interface ModelExport extends ModelBundle {
  outputSchema: {name: string; type: string}[];
  inputExample: Record<string, unknown>[];
  metrics: Record<string, number>;
}

/** Checks test metrics against the criteria (as MLflow Recipes' register step does). */
export function checkCriteria(params: RegisterParams, metrics: Record<string, number>): Registration {
  const checks = params.criteria.map((c, i): CriterionCheck => {
    const value = metrics[c.metric];
    if (value === undefined) {
      throw new ConfigError(
        `invalid register.criteria.${i}.metric: ${JSON.stringify(c.metric)} (expected one of ${Object.keys(metrics).join(", ")})`
      );
    }
    const direction = c.direction ?? (lowerIsBetter.has(c.metric) ? "lower" : "higher");
    const passed = direction === "higher" ? value >= c.threshold : value <= c.threshold;
    return {metric: c.metric, value, threshold: c.threshold, direction, passed};
  });
  const failed = checks.filter((c) => !c.passed);
  const reason = failed.length
    ? failed
        .map((c) => `${c.metric} ${round(c.value)} ${c.direction === "higher" ? "<" : ">"} ${c.threshold}`)
        .join(", ")
    : checks.length
      ? "all criteria passed"
      : "no criteria";
  return {name: params.name, passed: !failed.length, checks, reason, output: "model"};
}

/** Gates the trained model on its test metrics and exports it with a signature, example and metrics. */
export const register = defineStep({
  name: "register",
  module: import.meta.url,
  params: registerParams,
  /** Registers the model when its test metrics pass the criteria; no register step without it. */
  sections: {register: registerParams.optional()},
  inputs: {train: {kind: "table"}, model: {kind: "json"}, metrics: {kind: "json"}},
  outputs: {
    decision: {kind: "json", artifact: "registration", type: "registration"},
    model: {kind: "json", artifact: "model_export", type: "model_export"}
  },
  // Nothing is registered while a check may still fail; a sweep registers only its selected job.
  final: true,
  configure(config) {
    const own = config.register as RegisterParams | undefined;
    if (!own) return null;
    return {
      params: own,
      identity: {register: own},
      inputs: {train: "split.train", model: "train.model", metrics: "evaluate.metrics"}
    };
  },
  async run(inputs, params, ctx) {
    const bundle = upgradeBundle(inputs.model as ModelBundle);
    const metrics = headlineMetrics(inputs.metrics as Record<string, unknown>);
    const decision = checkCriteria(params, metrics);
    // A pass is announced by tracking ("registered NAME vN"); a miss must be said here.
    if (!decision.passed) ctx.log(`${params.name} not registered: ${decision.reason}`);
    // Raw rows, as a scoring request gives them (a model without an inference pipeline: training rows).
    const columns = bundle.signature.map((s) => quoteIdent(s.name)).join(", ");
    const inputExample = !params.example_rows
      ? []
      : bundle.example
        ? bundle.example.slice(0, params.example_rows)
        : await ctx.db.rows(`SELECT ${columns} FROM ${inputs.train} LIMIT ${params.example_rows}`);
    const outputSchema =
      bundle.task === "classification"
        ? [
            {name: "prediction", type: "VARCHAR"},
            ...bundle.classes.map((c) => ({name: `proba_${c}`, type: "DOUBLE"}))
          ]
        : [{name: "prediction", type: "DOUBLE"}];
    const model: ModelExport = {...bundle, outputSchema, inputExample, metrics};
    return {decision, model};
  }
});

function round(value: number): string {
  return String(Math.round(value * 1e4) / 1e4);
}
