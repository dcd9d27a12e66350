/**
 * A sweep worker process: runs the jobs its parent sends, one at a time, and answers each with
 * the run's result. Forked by runJobs (pool.ts); exits when the parent goes away, so a killed
 * sweep leaves no workers behind.
 */
import {loadConfig} from "../config.ts";
import {MlbookError} from "../errors.ts";
import {runPipeline} from "../run.ts";
import type {JobReply, JobRequest} from "./pool.ts";

process.on("disconnect", () => process.exit(0));
// Warm up while the parent runs the shared steps: DuckDB and tracking load lazily in a run.
void import("../db.ts").catch(() => undefined);
process.on("message", (message: JobRequest) => {
  void run(message).then((reply) => process.send?.(reply));
});

async function run({index, config, overrides}: JobRequest): Promise<JobReply> {
  try {
    const result = await runPipeline(loadConfig(config, overrides));
    const {runId, durationMs, steps, headline} = result;
    return {index, ok: true, runId, durationMs, steps, headline};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {index, ok: false, message, exitCode: error instanceof MlbookError ? error.exitCode : 1};
  }
}
