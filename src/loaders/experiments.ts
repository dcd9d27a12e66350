import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {listRuns} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ExperimentRun {
  id: string;
  startedAt: string;
  status: string;
  durationMs: number;
  configDigest: string;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
}

export interface ExperimentsData {
  pipeline: string;
  /** The run the other pages show. */
  currentRunId: string;
  runs: ExperimentRun[];
  /** Params whose value differs between runs: what a sweep (or a series of edits) varied. */
  swept: string[];
  metricNames: string[];
}

const maxRuns = 500;

/** Page data of the Experiments page: this pipeline's tracked runs with their params and metrics. */
export async function experiments({name, loaded}: PipelineContext): Promise<ExperimentsData> {
  const run = await currentRun(loaded);
  const runs = await withProject(projectTracking(loaded.path), async (tx) => {
    const summaries = (await listRuns(tx, {pipeline: name})).slice(0, maxRuns);
    const params = await tx.rows<{run_id: string; key: string; value: string}>(
      "SELECT p.run_id, p.key, p.value FROM params p JOIN runs r ON r.id = p.run_id WHERE r.pipeline = ?",
      [name]
    );
    const byRun = new Map<string, Record<string, unknown>>();
    for (const p of params)
      (byRun.get(p.run_id) ?? byRun.set(p.run_id, {}).get(p.run_id)!)[p.key] = JSON.parse(p.value) as unknown;
    return summaries.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      status: r.status,
      durationMs: r.duration_ms,
      configDigest: r.config_digest,
      metrics: r.metrics,
      params: byRun.get(r.id) ?? {}
    }));
  });
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const swept = keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1);
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter(
    (k) => !k.includes(".")
  );
  return {pipeline: name, currentRunId: run.result.runId, runs, swept, metricNames};
}
