import {currentRun, stepJson} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface Importances {
  impurity?: {column: string; value: number}[];
  coefficients?: {column: string; value: number}[];
  permutation: {column: string; mean: number; std: number}[];
  metric: string;
  repeats: number;
  rows: number;
}

export interface FeaturesData {
  pipeline: string;
  runId: string;
  model: string;
  importances: Importances | null;
}

/** Page data of the Features page: the evaluate step's importances against input columns. */
export async function features({name, loaded}: PipelineContext): Promise<FeaturesData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    model: loaded.config.model.type,
    importances: (await stepJson<Importances>(run, "evaluate", "importances")) ?? null
  };
}
