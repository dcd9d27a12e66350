import {z} from "zod";
import {isModelModule, loadModelSpec, specOf} from "../engine/model.ts";
import {defineStep, type ConfigIssue} from "../engine/step.ts";
import {describe, readTable} from "../engine/table.ts";
import {DataError} from "../errors.ts";
import {closePipeline, closeWindows} from "../engine/replay.ts";
import {fitBundle, type SignatureColumn} from "../ml/bundle.ts";
import type {InferencePipeline} from "../ml/inference.ts";
import {modelTypes} from "../ml/registry.ts";
import {columnTransformerSpec} from "../ml/transforms/columnTransformer.ts";
import {featuresParams, fitConfig, modelModules, modelParams, trainSection} from "./fitConfig.ts";
import {dataOf} from "./ingest.ts";

export const trainParams = z
  .object({
    target: z.string(),
    task: z.enum(["classification", "regression"]),
    features: featuresParams.default({exclude: []}),
    transform: columnTransformerSpec.default(columnTransformerSpec.parse({})),
    model: modelParams,
    /** Seeds the estimator (bootstrap, feature sampling, validation split). */
    seed: z.number().int().default(0),
    /**
     * Worker threads for estimators that use them; results do not depend on it (not in the key).
     * Unset, the model's own setting decides: random_forest's n_jobs (default 1), and for
     * hist_gradient_boosting and logistic_regression one thread per core (MLBOOK_THREADS, which
     * sweep workers set to their share of the cores).
     */
    threads: z.number().int().positive().optional(),
    /** The config's folder, where a model module is found (not in the key: its code digest is). */
    base: z.string().default(".")
  })
  .strict();
export type TrainParams = z.infer<typeof trainParams>;

/** Worker counts change how fast a model trains, never what it learns: they stay out of the key. */
const runtimeParams = new Set(["n_jobs"]);

/** Fits preprocessing (on training rows only) and the estimator, and returns the model bundle. */
export const train = defineStep({
  name: "train",
  module: import.meta.url,
  params: trainParams,
  sections: {
    features: featuresParams.prefault({}),
    transform: columnTransformerSpec.prefault({}),
    model: modelParams,
    train: trainSection
  },
  // Another model's params mean nothing to this one (as switching a Hydra config group).
  switches: {"model.type": "model.params"},
  // validation: the validation split (when split makes one), by name: early stopping watches it.
  inputs: {
    train: {kind: "table"},
    replay: {kind: "json", optional: true},
    validation: {kind: "table", optional: true}
  },
  outputs: {model: {kind: "json", artifact: "model", type: "model"}},
  modules: modelModules,
  validate(config, env) {
    const {task} = dataOf(config);
    const {model} = fitConfig(config);
    const spec = specOf(model.type, isModelModule(model.type) ? env.module(model.type) : undefined);
    const issues: ConfigIssue[] = [];
    if (!spec.tasks.includes(task)) {
      const fitting = modelTypes().filter((t) => specOf(t).tasks.includes(task));
      issues.push({
        path: ["model", "type"],
        message: `${task} needs one of ${fitting.join(", ")}${isModelModule(model.type) ? ` (${model.type} does ${spec.tasks.join(", ")})` : ""}`
      });
    }
    const result = spec.params.safeParse(model.params);
    if (!result.success)
      for (const issue of result.error.issues)
        issues.push({...issue, path: ["model", "params", ...issue.path]});
    return issues;
  },
  configure(config, env) {
    const {target, task} = dataOf(config);
    const {features, transform, model, train: own} = fitConfig(config);
    return {
      params: {target, task, features, transform, model, ...own, base: env.base},
      identity: {
        data: {target, task},
        features,
        transform,
        model: {
          ...model,
          params: Object.fromEntries(Object.entries(model.params).filter(([k]) => !runtimeParams.has(k)))
        },
        train: {seed: own.seed}
      },
      inputs: {train: "split.train"}
    };
  },
  async run(inputs, params, ctx) {
    const relation = inputs.train;
    const columns = await describe(ctx.db, relation);
    const byName = new Map(columns.map((c) => [c.name, c]));
    const target = byName.get(params.target);
    if (!target)
      throw new DataError(`data.target: column ${JSON.stringify(params.target)} is not in the data`);
    for (const name of [...(params.features.include ?? []), ...params.features.exclude]) {
      if (!byName.has(name))
        throw new DataError(
          `features: column ${JSON.stringify(name)} is not in the data (columns: ${[...byName.keys()].join(", ")})`
        );
    }
    const chosen = (params.features.include ?? columns.map((c) => c.name))
      .filter((name) => name !== params.target && !params.features.exclude.includes(name))
      .map((name) => byName.get(name)!);
    const ignored = chosen.filter((c) => c.kind === "other");
    if (ignored.length)
      ctx.log(
        `ignoring columns of unsupported type: ${ignored.map((c) => `${c.name} (${c.type})`).join(", ")}`
      );
    const features = chosen.filter((c) => c.kind !== "other");
    if (!features.length) throw new DataError("features: no usable feature columns");
    if (params.task === "regression" && target.kind !== "numeric") {
      throw new DataError(
        `data.target: column ${JSON.stringify(params.target)} has type ${target.type}, but data.task is regression (expected a number)`
      );
    }
    // The model scores raw rows: the steps before it replayed, as data, with what they need. The
    // windows' state is read first, so DuckDB's sorts are done before the training columns load.
    const replay = inputs.replay as InferencePipeline | undefined;
    const windowed = replay && (await closeWindows(ctx.db, replay, ctx.numbered(relation)));
    const table = await readTable(ctx.db, relation, [...features, target]);
    const spec = await loadModelSpec(params.model.type, params.base);
    if (!spec.tasks.includes(params.task)) {
      throw new DataError(
        `model.type: ${params.model.type} does not do ${params.task} (it does ${spec.tasks.join(", ")})`
      );
    }
    const validation = inputs.validation
      ? await readTable(ctx.db, inputs.validation, [...features, target])
      : undefined;
    const {bundle} = await fitBundle(table, {
      ...(validation ? {validation} : {}),
      target: params.target,
      task: params.task,
      features,
      transform: params.transform,
      model: params.model,
      spec,
      warn: ctx.log,
      seed: params.seed,
      threads: params.threads,
      onProgress: ctx.progress
    });
    if (windowed) {
      const pipeline = await closePipeline(
        ctx.db,
        windowed,
        bundle.features.map((f) => f.name),
        {base: params.base, log: ctx.log}
      );
      bundle.pipeline = pipeline;
      bundle.signature = rawSignature(pipeline, bundle.features);
      bundle.example = pipeline.example;
    }
    return {model: bundle};
  }
});

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;

/** The raw columns a model needs as its signature: a feature's entry where the column is one. */
function rawSignature(pipeline: InferencePipeline, features: readonly SignatureColumn[]): SignatureColumn[] {
  const byName = new Map(features.map((f) => [f.name, f]));
  return pipeline.raw.map(({name, type}) => {
    const feature = byName.get(name);
    if (feature && feature.type === type) return feature;
    const kind = numericType.test(type) ? "numeric" : /^VARCHAR/.test(type) ? "categorical" : "other";
    return {name, kind, type, nullable: true};
  });
}
