import {ConfigError} from "../errors.ts";
import {decisionTreeSpec} from "./tree/decisionTree.ts";
import {histGradientBoostingSpec} from "./hgb/histGradientBoosting.ts";
import {linearRegressionSpec} from "./linear/linearRegression.ts";
import {logisticRegressionSpec} from "./linear/logisticRegression.ts";
import {randomForestSpec} from "./forest/randomForest.ts";
import {ridgeSpec} from "./linear/ridge.ts";
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
