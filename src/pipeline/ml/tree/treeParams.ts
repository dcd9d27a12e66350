import {z} from "zod";
import {ConfigError} from "../../errors.ts";
import type {TreeCriterion, TreeSettings} from "./buildTree.ts";
import type {Task} from "../types.ts";

/*
 * Param fields shared by the decision tree and the random forest, with sklearn's meanings. JSON and
 * YAML cannot tell 1 from 1.0, so a whole number is always a count (max_features: 1 is one feature)
 * and a fraction is a number strictly between 0 and 1; sklearn's max_features=1.0 is null here.
 */

/** "gini" | "entropy" | "log_loss" (= entropy) for classification, "squared_error" for regression. */
export const criterionParam = z.enum(["gini", "entropy", "log_loss", "squared_error"]).optional();

/** Depth limit; null grows until leaves are pure or too small. Default null. */
export const maxDepthParam = z.number().int().min(1).nullable().default(null);

/** Rows a node needs to be split: a count ≥ 2, or a fraction of the rows in (0, 1). Default 2. */
export const minSamplesSplitParam = z.union([z.number().int().min(2), z.number().gt(0).lt(1)]).default(2);

/** Rows each child must keep: a count ≥ 1, or a fraction of the rows in (0, 1). Default 1. */
export const minSamplesLeafParam = z.union([z.number().int().min(1), z.number().gt(0).lt(1)]).default(1);

/** Features drawn per split: null (all), "sqrt", "log2", a count ≥ 1, or a fraction in (0, 1). */
export const maxFeaturesParam = z
  .union([z.enum(["sqrt", "log2"]), z.number().int().min(1), z.number().gt(0).lt(1)])
  .nullable();

export type MaxFeatures = z.output<typeof maxFeaturesParam>;

/** Split only if it lowers the weighted impurity by at least this much. Default 0. */
export const minImpurityDecreaseParam = z.number().min(0).default(0);

/** Seed for feature sampling (and bootstrap in forests); the fit option `seed` wins when given. */
export const seedParam = z.number().int().default(0);

export interface TreeParamValues {
  criterion?: z.output<typeof criterionParam>;
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  max_features: MaxFeatures;
  min_impurity_decrease: number;
}

/** The criterion for a task, defaulting like sklearn; log_loss is entropy under another name. */
export function resolveCriterion(criterion: TreeParamValues["criterion"], task: Task): TreeCriterion {
  if (task === "regression") {
    if (criterion !== undefined && criterion !== "squared_error") {
      throw new ConfigError(
        `invalid criterion: ${JSON.stringify(criterion)} (expected "squared_error" for regression)`
      );
    }
    return "squared_error";
  }
  if (criterion === "squared_error") {
    throw new ConfigError(
      `invalid criterion: "squared_error" (expected "gini", "entropy" or "log_loss" for classification)`
    );
  }
  return criterion === "entropy" || criterion === "log_loss" ? "entropy" : "gini";
}

/** sklearn's BaseDecisionTree.fit: turns params into limits for a data set of `rows` × `features`. */
export function resolveTreeSettings(
  params: TreeParamValues,
  task: Task,
  rows: number,
  features: number
): TreeSettings {
  const minSamplesLeaf = Number.isInteger(params.min_samples_leaf)
    ? params.min_samples_leaf
    : Math.ceil(params.min_samples_leaf * rows);
  let minSamplesSplit = Number.isInteger(params.min_samples_split)
    ? params.min_samples_split
    : Math.max(2, Math.ceil(params.min_samples_split * rows));
  minSamplesSplit = Math.max(minSamplesSplit, 2 * minSamplesLeaf);
  return {
    criterion: resolveCriterion(params.criterion, task),
    maxDepth: params.max_depth ?? 2147483647,
    minSamplesSplit,
    minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(params.max_features, features),
    minImpurityDecrease: params.min_impurity_decrease
  };
}

export function resolveMaxFeatures(maxFeatures: MaxFeatures, features: number): number {
  let k: number;
  if (maxFeatures === null) k = features;
  else if (maxFeatures === "sqrt") k = Math.max(1, Math.floor(Math.sqrt(features)));
  else if (maxFeatures === "log2") k = Math.max(1, Math.floor(Math.log2(features)));
  else if (Number.isInteger(maxFeatures)) k = maxFeatures;
  else k = Math.max(1, Math.floor(maxFeatures * features));
  if (k > features) {
    throw new ConfigError(`invalid max_features: ${maxFeatures} (expected at most the ${features} features)`);
  }
  return k;
}
