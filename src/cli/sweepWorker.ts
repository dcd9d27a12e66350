/**
 * A sweep worker process: runs the jobs its parent sends, one at a time, and answers each with
 * the run's result. Forked by startPool (pipeline/sweep/pool.ts); exits when the parent goes
 * away, so a killed sweep leaves no workers behind.
 */
import {loadConfig} from "../pipeline/builtins.ts";
import {runPipeline} from "../pipeline/engine/run.ts";
import {MlbookError} from "../pipeline/errors.ts";
import type {JobReply, JobRequest} from "../pipeline/sweep/pool.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";

process.on("disconnect", () => process.exit(0));
// A parent gone before this handler was set: nothing will come.
if (!process.connected) process.exit(0);
// Warm up while the parent composes the jobs and runs the shared steps: a run loads DuckDB and
// the tracking code lazily, which would slow each worker's first job.
void Promise.all([import("../pipeline/engine/db.ts"), import("../pipeline/tracking/trackRun.ts")]).catch(
  () => undefined
);
process.on("message", (message: JobRequest) => {
  void run(message).then((reply) => process.send?.(reply));
});

async function run({index, config, overrides, env, steps: only, sweepId}: JobRequest): Promise<JobReply> {
  Object.assign(process.env, env);
  try {
    // A job's record waits in the journal: the sweep writes all of them at its end.
    const hooks = [
      trackingHooks({sweep: sweepId ? {id: sweepId, role: "job"} : undefined, journalOnly: !!sweepId})
    ];
    const result = await runPipeline(await loadConfig(config, overrides), {
      steps: only,
      hooks,
      keepState: false
    });
    const {runId, durationMs, steps, headline} = result;
    return {index, ok: true, runId, durationMs, steps, headline};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {index, ok: false, message, exitCode: error instanceof MlbookError ? error.exitCode : 1};
  }
}
