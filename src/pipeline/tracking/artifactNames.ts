import type {ArtifactsConfig} from "./configSchema.ts";

export interface ArtifactName {
  name: string;
  type: string;
  description: string | null;
}

/** Names for the built-in steps' outputs, as an MLflow or W&B pipeline would log them. */
const defaults: Record<string, {name: string; type: string}> = {
  "ingest.data": {name: "raw_data", type: "dataset"},
  "clean.data": {name: "clean_data", type: "dataset"},
  "split.train": {name: "train_data", type: "dataset"},
  "split.test": {name: "test_data", type: "dataset"},
  "train.model": {name: "model", type: "model"},
  "evaluate.metrics": {name: "metrics", type: "metrics"},
  "register.model": {name: "model_export", type: "model_export"},
  "register.decision": {name: "registration", type: "report"}
};

/** The name, type and description of a step output: from config, else the default. */
export function artifactName(
  config: ArtifactsConfig,
  step: string,
  output: string,
  kind: "table" | "json"
): ArtifactName {
  const id = `${step}.${output}`;
  const fallback = defaults[id] ?? {name: `${step}_${output}`, type: kind === "table" ? "dataset" : "json"};
  const given = config[id];
  if (given === undefined) return {...fallback, description: null};
  if (typeof given === "string") return {name: given, type: fallback.type, description: null};
  return {name: given.name, type: given.type ?? fallback.type, description: given.description ?? null};
}
