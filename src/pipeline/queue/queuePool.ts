import {relative} from "node:path";
import {Queue, QueueEvents, type Job} from "bullmq";
import {MlbookError} from "../errors.ts";
import type {JobReply, JobRequest, Pool} from "../sweep/pool.ts";
import {writePending} from "../tracking/journal.ts";
import {connectionOf, QUEUE_NAME, type QueuedJob, type QueuedResult} from "./jobQueue.ts";

export interface QueuePoolOptions {
  /** `redis://host:port` (checked by checkQueue first). */
  url: string;
  /** The shared store's URL, handed to every job. */
  remote: string;
  /** The coordinator's store root: the jobs' run records land in its journal. */
  root: string;
  /** The folder config paths are given relative to (the workers run in the same one). */
  cwd: string;
  sweepId: string;
  mlbook: string;
  /** Progress notes (a job waiting for a worker, Ctrl-C). */
  say(line: string): void;
  /** Seconds without any job started before the coordinator says no worker is listening. */
  idleNote?: number;
}

/**
 * Runs a sweep's jobs on a Redis queue (BullMQ) instead of local worker processes: each job is
 * queued with the coordinator's plan of it, any `mlbook worker` on the queue takes it, and its
 * reply comes back as a local pool's would. Each job's run record is written to this store's
 * journal once, when its reply arrives; a job handed to a second worker after the first died has
 * one reply, so one record. Ctrl-C removes the sweep's jobs no worker has taken yet.
 */
export function startQueuePool(
  options: QueuePoolOptions
): Pool & {moved(): {bytesIn: number; bytesOut: number}} {
  let bytesIn = 0;
  let bytesOut = 0;
  return {
    async run(requests, onReply) {
      const queue = new Queue<QueuedJob, QueuedResult>(QUEUE_NAME, {connection: connectionOf(options.url)});
      const events = new QueueEvents(QUEUE_NAME, {connection: connectionOf(options.url)});
      const ids = requests.map((r) => `${options.sweepId}-${r.index}`);
      const interrupt = () => void cancel(queue, ids, options.say).finally(() => process.exit(130));
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      try {
        await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
        const jobs = await queue.addBulk(
          requests.map((r, i) => ({
            name: `${options.sweepId}#${r.index}`,
            data: queuedJob(r, options),
            opts: {
              jobId: ids[i],
              attempts: 1,
              removeOnComplete: {age: 24 * 3600},
              removeOnFail: {age: 24 * 3600}
            }
          }))
        );
        options.say(
          `  queued ${jobs.length} job${jobs.length === 1 ? "" : "s"} on ${options.url} (${QUEUE_NAME}); mlbook worker --queue ${options.url} runs them`
        );
        let started = false;
        events.on("active", () => void (started = true));
        const idle = setTimeout(
          () => {
            if (!started)
              options.say(
                `  no worker has taken a job after ${options.idleNote ?? 20} s: start one with mlbook worker --queue ${options.url}`
              );
          },
          (options.idleNote ?? 20) * 1000
        );
        try {
          return await Promise.all(
            jobs.map(async (job, i) => {
              const reply = await replyOf(job, requests[i].index, events, options.root);
              bytesIn += reply.bytesIn ?? 0;
              bytesOut += reply.bytesOut ?? 0;
              onReply?.(reply);
              return reply;
            })
          );
        } finally {
          clearTimeout(idle);
          // Finished jobs leave Redis with the sweep (they would expire after a day).
          await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
        }
      } finally {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
        await events.close();
        await queue.close();
      }
    },
    close() {},
    moved: () => ({bytesIn, bytesOut})
  };
}

function queuedJob(request: JobRequest, options: QueuePoolOptions): QueuedJob {
  if (!request.keys) throw new MlbookError(`job ${request.index} has no plan to hand to a worker`);
  return {
    sweepId: options.sweepId,
    index: request.index,
    config: relative(options.cwd, request.config),
    overrides: request.overrides,
    steps: request.steps,
    keys: request.keys,
    artifacts: request.artifacts ?? {},
    remote: options.remote,
    mlbook: options.mlbook
  };
}

/** Waits for a queued job's end; its run record joins the coordinator's journal. */
async function replyOf(
  job: Job<QueuedJob, QueuedResult>,
  index: number,
  events: QueueEvents,
  root: string
): Promise<JobReply> {
  let result: QueuedResult;
  try {
    result = await job.waitUntilFinished(events);
  } catch (error) {
    // Refused by the worker (a plan that differs) or given up by the queue (stalled twice).
    const message = error instanceof Error ? error.message : String(error);
    return {index, ok: false, message, exitCode: 1};
  }
  await writePending(root, result.record);
  const moved = {worker: result.worker, bytesIn: result.bytesIn, bytesOut: result.bytesOut};
  if (!result.ok) return {index, ok: false, message: result.message, exitCode: result.exitCode, ...moved};
  const {runId, durationMs, steps, headline} = result;
  return {index, ok: true, runId, durationMs, steps, headline, ...moved};
}

/** Ctrl-C: removes the sweep's jobs still waiting; those a worker holds finish there. */
async function cancel(queue: Queue, ids: readonly string[], say: (line: string) => void): Promise<void> {
  let removed = 0;
  let running = 0;
  for (const id of ids) {
    const state = await queue.getJobState(id).catch(() => "unknown");
    if (state === "waiting" || state === "delayed" || state === "prioritized") {
      if (await queue.remove(id).catch(() => 0)) ++removed;
    } else if (state === "active") ++running;
  }
  say(
    `  interrupted: removed ${removed} queued job${removed === 1 ? "" : "s"}` +
      (running ? `; ${running} running finish on their workers (their results are not recorded)` : "")
  );
  await queue.close().catch(() => undefined);
}
