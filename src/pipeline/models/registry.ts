import {ConfigError} from "../errors.ts";
import {logisticRegressionSpec} from "./logisticRegression.ts";
import type {ModelSpec} from "./types.ts";

/** Every estimator `model.type` can name. */
const specs: readonly ModelSpec[] = [logisticRegressionSpec as ModelSpec];

const byType = new Map(specs.map((s) => [s.type, s]));

export function modelTypes(): string[] {
  return [...byType.keys()];
}

export function modelSpec(type: string): ModelSpec {
  const spec = byType.get(type);
  if (!spec) throw new ConfigError(`invalid model.type: ${JSON.stringify(type)} (expected one of ${modelTypes().join(", ")})`);
  return spec;
}
