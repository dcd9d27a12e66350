import type {CheckReport} from "../pipeline/steps/checks/report.ts";
import {currentRun, stepJson} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ChecksData {
  pipeline: string;
  runId: string;
  /** Null when the pipeline has no check step. */
  report: CheckReport | null;
}

/** Page data of the Checks page: the check step's report, as stored. */
export async function checks({name, loaded}: PipelineContext): Promise<ChecksData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    report: (await stepJson<CheckReport>(run, "check", "report")) ?? null
  };
}
