import {Redis} from "ioredis";
import {ConfigError, MlbookError} from "../errors.ts";
import type {StepRecord} from "../engine/runTypes.ts";
import type {ArtifactVersion} from "../engine/step.ts";
import type {RunRecord} from "../tracking/runRecord.ts";

/** The BullMQ queue every coordinator and worker on one Redis shares. */
export const QUEUE_NAME = "mlbook-jobs";

/** A sweep job as it waits in Redis: everything a worker on another machine needs to run it. */
export interface QueuedJob {
  sweepId: string;
  index: number;
  /** The config file, relative to the folder the coordinator and the workers run in. */
  config: string;
  overrides: string[];
  /** Run only these steps: a sweep's jobs leave the final steps (register) to the winner. */
  steps?: string[];
  /** The coordinator's key of every step the job runs: a worker whose plan differs refuses it. */
  keys: Record<string, string>;
  /** Its artifact references resolved by the coordinator's tracking; their entries are on the remote. */
  artifacts: Record<string, ArtifactVersion>;
  /** The shared store the job pulls from and pushes to. */
  remote: string;
  /** The coordinator's mlbook version, named when the plans differ. */
  mlbook: string;
}

/**
 * What a worker hands back: the run as the sweep reports it, and its record for the coordinator's
 * tracking — also for a run whose step failed (a job the worker could not start fails in BullMQ).
 */
export type QueuedResult = (
  | {ok: true; runId: string; durationMs: number; steps: StepRecord[]; headline: Record<string, number>}
  | {ok: false; message: string; exitCode: number}
) & {
  record: RunRecord;
  /** `host:pid` of the worker that ran it. */
  worker: string;
  /** Bytes pulled from and pushed to the shared store. */
  bytesIn: number;
  bytesOut: number;
};

/** BullMQ's connection options for a `redis://` URL (commands wait for a reconnect, never fail). */
export function connectionOf(url: string): {url: string; maxRetriesPerRequest: null} {
  return {url, maxRetriesPerRequest: null};
}

/**
 * Refuses a queue URL that is not `redis://` / `rediss://`, and a Redis that does not answer
 * within a few seconds, with the reason — instead of BullMQ's endless reconnecting.
 */
export async function checkQueue(url: string, flag = "--queue"): Promise<void> {
  if (!/^rediss?:\/\/[^/\s]+(\/\d+)?$/.test(url))
    throw new ConfigError(`${flag}: expected redis://host:port (or rediss://…), got ${JSON.stringify(url)}`);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null
  });
  // The connection's own error says why ("connect ECONNREFUSED …"); connect() only that it closed.
  let cause: Error | undefined;
  redis.on("error", (error: Error) => void (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const why = (cause ?? (error instanceof Error ? error : new Error(String(error)))).message;
    throw new MlbookError(`queue ${url}: ${why}`, 1);
  } finally {
    redis.disconnect();
  }
}
