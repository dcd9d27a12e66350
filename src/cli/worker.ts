import {hostname} from "node:os";
import {resolve} from "node:path";
import {UnrecoverableError, Worker, type Job} from "bullmq";
import {loadConfig} from "../pipeline/builtins.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {storeRoot, type LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {plan} from "../pipeline/engine/plan.ts";
import {Store} from "../pipeline/engine/store.ts";
import {runPipeline} from "../pipeline/engine/run.ts";
import type {RunLogger} from "../pipeline/engine/runTypes.ts";
import {ConfigError, MlbookError} from "../pipeline/errors.ts";
import {
  checkQueue,
  connectionOf,
  QUEUE_NAME,
  type QueuedJob,
  type QueuedResult
} from "../pipeline/queue/jobQueue.ts";
import {remoteHooks, type RemoteTally} from "../pipeline/remote/remoteHooks.ts";
import {S3Remote} from "../pipeline/remote/s3Remote.ts";
import type {RunRecord} from "../pipeline/tracking/runRecord.ts";
import type {RunHooks} from "../pipeline/engine/hooks.ts";
import {buildRunRecord} from "../pipeline/tracking/runRecord.ts";
import {formatDuration} from "./format.ts";
import {mlbookVersion} from "./version.ts";
import {positiveInt} from "./positiveInt.ts";

export interface WorkerOptions {
  queue?: string;
  /** Jobs run at once in this process (default 1: a job's fits use every core). */
  concurrency?: string;
  /** Seconds without a lock renewal after which a job goes to another worker (default 30). */
  lock?: string;
}

/**
 * `mlbook worker --queue redis://HOST:6379`: takes sweep jobs from the queue one at a time (or
 * `--concurrency`), runs each in this folder's local store — pulling what it needs from the shared
 * store, pushing what it computes — and hands its run record back to the coordinator. A job whose
 * plan differs from the coordinator's (another mlbook version, other pipeline code or data) is
 * refused. SIGINT/SIGTERM: finishes the job in hand, then exits; a second signal exits at once.
 */
export async function workerCommand(options: WorkerOptions): Promise<void> {
  const url = options.queue ?? process.env.MLBOOK_QUEUE;
  if (!url) throw new ConfigError("worker: no queue (--queue redis://host:port, or MLBOOK_QUEUE)");
  const concurrency = positiveInt(options.concurrency, "--concurrency") ?? 1;
  const lockSeconds = positiveInt(options.lock, "--lock") ?? 30;
  await checkQueue(url);
  // Warm up while no job is in hand: a run loads DuckDB and the S3 client lazily, which would slow
  // this worker's first job by about a second.
  void Promise.all([import("../pipeline/engine/db.ts"), import("@aws-sdk/client-s3")]).catch(() => undefined);
  const me = `${hostname()}:${process.pid}`;
  const say = (line: string) => console.log(line);
  const worker = new Worker<QueuedJob, QueuedResult>(QUEUE_NAME, (job) => runJob(job, me, say), {
    connection: connectionOf(url),
    concurrency,
    lockDuration: lockSeconds * 1000,
    // A job whose worker died is noticed within a lock's time and handed to another worker once;
    // a job that kills its workers twice fails instead of taking the whole fleet down.
    stalledInterval: Math.max(1000, (lockSeconds * 1000) / 2),
    maxStalledCount: 1,
    autorun: false
  });
  // BullMQ reconnects to a Redis that went away; say so once, not once a second.
  let said = {message: "", at: 0};
  worker.on("error", (error) => {
    if (error.message === said.message && Date.now() - said.at < 60_000) return;
    said = {message: error.message, at: Date.now()};
    process.stderr.write(`worker: ${error.message} (retrying)\n`);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    say(`worker ${me}: ${signal}, finishing the job in hand (again to stop now)`);
    void worker.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  say(
    `mlbook worker ${me} (mlbook ${mlbookVersion}) on ${url}, ${concurrency} job${concurrency === 1 ? "" : "s"} at a time, in ${process.cwd()}`
  );
  await worker.run();
}

async function runJob(job: Job<QueuedJob, QueuedResult>, me: string, say: (line: string) => void) {
  const data = job.data;
  const label = `job ${data.sweepId}#${data.index}`;
  say(`${label} started: ${data.overrides.join(" ") || "(no overrides)"}`);
  try {
    // What the run's add-ons say (a remote it cannot reach, a refused entry) goes to this log.
    const logger: RunLogger = {step() {}, progress() {}, info: (message) => say(`${label}: ${message}`)};
    const result = await runQueued(data, me, logger);
    if (!result.ok) {
      say(`${label} failed: ${result.message.split("\n")[0]}`);
      return result;
    }
    const ran = result.steps.filter((s) => s.status === "ran").map((s) => s.name);
    say(
      `${label} done in ${formatDuration(result.durationMs)}: ${ran.length ? `ran ${ran.join(", ")}` : "all fresh"}; pulled ${size(result.bytesIn)}, pushed ${size(result.bytesOut)}`
    );
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`${label} failed: ${message.split("\n")[0]}`);
    // A job that fails for its own reasons (bad config, a failing step) would fail again
    // anywhere: no retry.
    throw error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
  }
}

/**
 * Runs one queued job here. Its run record is built in memory and handed back, never written to
 * this machine's tracking: the coordinator's database is the one that records the sweep.
 */
async function runQueued(data: QueuedJob, me: string, logger: RunLogger): Promise<QueuedResult> {
  let loaded;
  try {
    loaded = await loadConfig(resolve(data.config), data.overrides);
  } catch (error) {
    // Most likely a worker started in another workspace, or at another commit of this one.
    const why = error instanceof Error ? error.message : String(error);
    throw new UnrecoverableError(
      `worker ${me} in ${process.cwd()} cannot load ${data.config} with the job's overrides (${why.split("\n")[0]}): ` +
        `run workers in the coordinator's workspace, at its commit`
    );
  }
  const mine = new Map((await plan(buildGraph(loaded))).map((p) => [p.node.name, p.key]));
  for (const [step, key] of Object.entries(data.keys)) {
    const here = mine.get(step);
    if (here === key) continue;
    throw new UnrecoverableError(
      `worker ${me} plans ${step} as ${here?.slice(0, 12) ?? "absent"}…, the coordinator as ${key.slice(0, 12)}…: ` +
        `mlbook versions (${mlbookVersion} here, ${data.mlbook} there), the pipeline's code or its data differ; ` +
        `run the worker from the coordinator's commit`
    );
  }
  const remote = new S3Remote(data.remote);
  const tally: RemoteTally = {bytesIn: await pullReferenced(loaded, remote, data, me), bytesOut: 0};
  let record: RunRecord | undefined;
  const recordHook: RunHooks = {
    // This machine has no tracking of the coordinator's artifacts: the job carries them resolved.
    resolveArtifact: async (ref) => data.artifacts[ref],
    async afterRun(outcome) {
      record = await buildRunRecord(outcome, {id: data.sweepId, role: "job"});
    }
  };
  try {
    const result = await runPipeline(loaded, {
      steps: data.steps,
      keepState: false,
      logger,
      hooks: [...remoteHooks(remote, tally), recordHook]
    });
    const {runId, durationMs, steps, headline} = result;
    if (!record) throw new MlbookError(`run ${runId} finished without its record`);
    return {ok: true, runId, durationMs, steps, headline, record, worker: me, ...tally};
  } catch (error) {
    // A failing step fails the same way anywhere: the job is done (no retry), its record goes
    // to the coordinator as a failed run, as a local sweep records it.
    if (!record) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const exitCode = error instanceof MlbookError ? error.exitCode : 1;
    return {ok: false, message, exitCode, record, worker: me, ...tally};
  }
}

/**
 * The entries of the job's resolved references, pulled here before the run checks they exist;
 * returns the bytes pulled.
 */
async function pullReferenced(
  loaded: LoadedConfig,
  remote: S3Remote,
  data: QueuedJob,
  me: string
): Promise<number> {
  const store = new Store(storeRoot(loaded));
  let bytes = 0;
  for (const [ref, a] of Object.entries(data.artifacts)) {
    if ((await store.lookup(a.step, a.key)).status === "ok") continue;
    const got = await remote.pull(store, a.step, a.key);
    if (got.status !== "pulled")
      throw new UnrecoverableError(
        `worker ${me}: ${ref} (${a.name}:v${a.version}, ${a.step} ${a.key.slice(0, 12)}…) is ${got.status === "refused" ? `refused by the remote check (${got.reason})` : "not on the remote"}`
      );
    bytes += got.bytes;
  }
  return bytes;
}

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
