import {z} from "zod";
import {isModelModule} from "../engine/model.ts";
import type {Config} from "../engine/step.ts";
import {modelTypes} from "../ml/registry.ts";
import {columnTransformerSpec} from "../ml/transforms/columnTransformer.ts";

/**
 * The config sections of fitting a model — features, transform, model and train — which the train
 * step owns and evaluate reads too (cross-validation refits them in each fold).
 */

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
    /** A built-in estimator (logistic_regression, random_forest …) or a workspace module (./models/knn.ts). */
    type: z.string().refine((t) => modelTypes().includes(t) || isModelModule(t), {
      message: `expected one of ${modelTypes().join(", ")}, or a model module (./models/name.ts)`
    }),
    /** The estimator's own params, validated by its schema. */
    params: z.record(z.string(), z.unknown()).default({})
  })
  .strict();
export type ModelConfig = z.infer<typeof modelParams>;

export const trainSection = z
  .object({
    seed: z.number().int().default(0),
    /** Worker threads; unset, the model's own setting (random_forest n_jobs) decides, else 1. */
    threads: z.number().int().positive().optional()
  })
  .strict()
  .prefault({});

/** What train and evaluate (which refits in cross-validation) take from the config. */
export function fitConfig(config: Config) {
  return {
    features: config.features as z.infer<typeof featuresParams>,
    transform: config.transform as z.infer<typeof columnTransformerSpec>,
    model: config.model as ModelConfig,
    train: config.train as z.infer<typeof trainSection>
  };
}

/** The workspace module `model.type` names, if any: train and evaluate run its code. */
export function modelModules(config: Config): {path: string; key: (string | number)[]}[] {
  const {type} = (config.model ?? {}) as Partial<ModelConfig>;
  return type && isModelModule(type) ? [{path: type, key: ["model", "type"]}] : [];
}
