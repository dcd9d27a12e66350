import {ConfigError} from "../errors.ts";
import {decisionTreeSpec} from "./decisionTree.ts";
import {histGradientBoostingSpec} from "./histGradientBoosting.ts";
import {linearRegressionSpec} from "./linearRegression.ts";
import {logisticRegressionSpec} from "./logisticRegression.ts";
import {randomForestSpec} from "./randomForest.ts";
import {ridgeSpec} from "./ridge.ts";
import type {ModelSpec} from "./types.ts";

/** Every estimator `model.type` can name. */
const specs = [
  logisticRegressionSpec,
  linearRegressionSpec,
  ridgeSpec,
  decisionTreeSpec,
  randomForestSpec,
  histGradientBoostingSpec
] as unknown as readonly ModelSpec[];

const byType = new Map(specs.map((s) => [s.type, s]));

export function modelTypes(): string[] {
  return [...byType.keys()];
}

export function modelSpec(type: string): ModelSpec {
  const spec = byType.get(type);
  if (!spec)
    throw new ConfigError(
      `invalid model.type: ${JSON.stringify(type)} (expected one of ${modelTypes().join(", ")})`
    );
  return spec;
}
