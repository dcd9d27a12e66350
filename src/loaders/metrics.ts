import {artifactJson, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface Curves {
  classes?: {class: string; roc: {x: number[]; y: number[]}; pr: {x: number[]; y: number[]}}[];
  scores?: {bins: number; positive: number[]; negative: number[]};
  points?: {actual: number; predicted: number}[];
}

export interface MetricsData {
  pipeline: string;
  runId: string;
  task: string;
  headline: Record<string, number>;
  /** The full evaluation report (per class, confusion matrix, or regression errors). */
  report: Record<string, unknown> | null;
  curves: Curves | null;
}

/** Page data of the Metrics page: the evaluation report and its curves, as stored. */
export async function metrics({name, loaded}: PipelineContext): Promise<MetricsData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    task: loaded.config.data.task,
    headline: run.result.headline,
    report: run.result.metrics,
    curves: (await artifactJson<Curves>(run, "curves")) ?? null
  };
}
