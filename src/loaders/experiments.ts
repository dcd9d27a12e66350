import {lowerIsBetter} from "../pipeline/ml/metrics/headline.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {listRuns, listSweeps} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {currentRun} from "./currentRun.ts";
import {runParams} from "./runParams.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ExperimentRun {
  id: string;
  startedAt: string;
  status: string;
  durationMs: number;
  configDigest: string;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
  /** The sweep this run was part of, else null. */
  sweepId: string | null;
  /** Its part: "job", "shared" (the steps all jobs share) or "winner" (registers the best job); null outside sweeps and before roles. */
  sweepRole: string | null;
}

export interface ExperimentSweep {
  id: string;
  startedAt: string;
  jobs: number;
  failed: number;
  /** The metric the best job was picked by: the sweep's own selection, else accuracy or r2. */
  metric: string | null;
  best: {run: string; value: number} | null;
  /** The run that registered the sweep's winner (found this way for runs recorded before roles). */
  registerRun: string | null;
}

export interface ExperimentsData {
  pipeline: string;
  /** The run the other pages show. */
  currentRunId: string;
  runs: ExperimentRun[];
  /** This pipeline's sweeps, newest first. */
  sweeps: ExperimentSweep[];
  metricNames: string[];
  /**
   * The metric the pipeline picks a sweep's best job by: its `selection` (cv_<metric> or
   * val_<metric>), else the first headline metric (accuracy or r2); null when no run has it.
   */
  selectionMetric: string | null;
  /** The metrics of metricNames where lower is better (losses, errors; their cv_ and val_ means too). */
  lowerIsBetter: string[];
}

const maxRuns = 500;

/** Page data of the Experiments page: this pipeline's tracked runs with their params and metrics. */
export async function experiments({name, loaded}: PipelineContext): Promise<ExperimentsData> {
  const run = await currentRun(loaded);
  const {runs, sweeps} = await withProject(projectTracking(loaded.path), async (tx) => {
    const summaries = (await listRuns(tx, {pipeline: name})).slice(0, maxRuns);
    const byRun = await runParams(tx, name);
    const runs = summaries.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      status: r.status,
      durationMs: r.duration_ms,
      configDigest: r.config_digest,
      metrics: r.metrics,
      params: byRun.get(r.id) ?? {},
      sweepId: r.sweep_id,
      sweepRole: r.sweep_role
    }));
    const sweeps = (await listSweeps(tx))
      .filter((w) => w.pipeline === name)
      .map((w): ExperimentSweep => ({
        id: w.id,
        startedAt: w.started_at,
        jobs: w.jobs,
        failed: w.failed,
        metric: w.metric,
        best: w.best,
        registerRun: w.register_run
      }));
    return {runs, sweeps};
  });
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter(
    (k) => !k.includes(".")
  );
  const selection = loaded.config.selection;
  const selectionMetric =
    (selection
      ? `${selection.on === "validation" ? "val" : "cv"}_${selection.metric}`
      : ["accuracy", "r2"].find((k) => metricNames.includes(k))) ?? null;
  return {
    pipeline: name,
    currentRunId: run.result.runId,
    runs,
    sweeps,
    metricNames,
    selectionMetric: selectionMetric && metricNames.includes(selectionMetric) ? selectionMetric : null,
    lowerIsBetter: metricNames.filter((k) => lowerIsBetter.has(k.replace(/^(cv|val)_/, "")))
  };
}
