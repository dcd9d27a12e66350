import {z} from "zod";
import {fitBundle} from "../ml/bundle.ts";
import {DataError} from "../errors.ts";
import {modelSpec, modelTypes} from "../ml/registry.ts";
import {defineStep, tableInput} from "../engine/step.ts";
import {describe, readTable} from "../engine/table.ts";
import {columnTransformerSpec} from "../ml/transforms/columnTransformer.ts";

export const featuresParams = z
  .object({
    /** Columns to use as features; default: every column but the target. */
    include: z.array(z.string()).optional(),
    /** Columns never to use (ids, leaky columns). */
    exclude: z.array(z.string()).default([])
  })
  .strict();

export const modelParams = z
  .object({
    /** Estimator: one of the registry's model types. */
    type: z.string().refine((t) => modelTypes().includes(t), {
      message: `expected one of ${modelTypes().join(", ")}`
    }),
    /** The estimator's own params, validated by its schema. */
    params: z.record(z.string(), z.unknown()).default({})
  })
  .strict();

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
     * hist_gradient_boosting one thread per core (MLBOOK_THREADS, which sweep workers set to
     * their share of the cores).
     */
    threads: z.number().int().positive().optional()
  })
  .strict();
export type TrainParams = z.infer<typeof trainParams>;

/** Fits preprocessing (on training rows only) and the estimator, and returns the model bundle. */
export const train = defineStep({
  name: "train",
  inputs: ["split"],
  params: trainParams,
  module: import.meta.url,
  async run(inputs, params, ctx) {
    const relation = tableInput(inputs, "split", "train");
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
    const table = await readTable(ctx.db, relation, [...features, target]);
    const spec = modelSpec(params.model.type);
    if (!spec.tasks.includes(params.task)) {
      throw new DataError(
        `model.type: ${params.model.type} does not do ${params.task} (it does ${spec.tasks.join(", ")})`
      );
    }
    const {bundle} = await fitBundle(table, {
      target: params.target,
      task: params.task,
      features,
      transform: params.transform,
      model: params.model,
      seed: params.seed,
      threads: params.threads,
      onProgress: ctx.progress
    });
    return {json: {model: bundle}};
  }
});
