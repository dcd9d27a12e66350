import {artifactJson, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

import type {Importances} from "../pipeline/ml/evaluation/importances.ts";

export interface FeaturesData {
  pipeline: string;
  runId: string;
  model: string;
  importances: Importances | null;
}

/** Page data of the Features page: the importances the evaluation made, against input columns. */
export async function features({name, loaded}: PipelineContext): Promise<FeaturesData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    model: loaded.config.model.type,
    importances: (await artifactJson<Importances>(run, "importances")) ?? null
  };
}
