import type {CheckReport} from "../pipeline/steps/checks/report.ts";
import {artifactJson, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ChecksData {
  pipeline: string;
  runId: string;
  /** Null when the pipeline has no check step. */
  report: CheckReport | null;
}

/** Page data of the Checks page: the data check report, as stored. */
export async function checks({name, loaded}: PipelineContext): Promise<ChecksData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    report: (await artifactJson<CheckReport>(run, "check_report")) ?? null
  };
}
