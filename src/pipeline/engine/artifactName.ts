import type {ArtifactsConfig} from "./coreConfig.ts";
import type {Node} from "./graph.ts";

export interface ArtifactName {
  name: string;
  type: string;
  description: string | null;
}

/**
 * The name, type and description an output is tracked under: the config's `artifacts:` entry
 * (`clean.data: clean_penguins`), else what its step declares, else `<step>_<output>`.
 */
export function artifactName(artifacts: ArtifactsConfig, node: Node, output: string): ArtifactName {
  const spec = node.step.outputs[output];
  const fallback = {
    name: spec?.artifact ?? `${node.name}_${output}`,
    type: spec?.type ?? (spec?.kind === "table" ? "dataset" : "json"),
    description: spec?.description ?? null
  };
  const given = artifacts[`${node.name}.${output}`];
  if (given === undefined) return fallback;
  if (typeof given === "string") return {...fallback, name: given};
  return {
    name: given.name,
    type: given.type ?? fallback.type,
    description: given.description ?? fallback.description
  };
}
