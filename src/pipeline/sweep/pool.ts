import {fork, type ChildProcess} from "node:child_process";
import {createRequire} from "node:module";
import {availableParallelism} from "node:os";
import {fileURLToPath} from "node:url";
import {bundledEntry} from "../ml/threads/bundledEntry.ts";
import type {StepRecord} from "../engine/runTypes.ts";
import type {ArtifactVersion} from "../engine/step.ts";

export interface JobRequest {
  index: number;
  /** Absolute path of the config file. */
  config: string;
  overrides: string[];
  /** The sweep the job's run belongs to (its record says so). */
  sweepId?: string;
  /** Environment variables for the job (MLBOOK_THREADS: its share of the cores). */
  env?: Record<string, string>;
  /** Run only these steps (and what they need): a sweep's jobs leave register to the winner. */
  steps?: string[];
  /** The key of each step the job runs, as planned here: a queue worker checks its own plan against it. */
  keys?: Record<string, string>;
  /**
   * The job's artifact references (`from:` pins, a drift reference) as this project's tracking
   * resolves them: a queue worker has no tracking of its own to ask.
   */
  artifacts?: Record<string, ArtifactVersion>;
}

/** Where a job ran and what it moved, for a job a queue worker ran (pipeline/queue/queuePool.ts). */
interface Moved {
  worker?: string;
  bytesIn?: number;
  bytesOut?: number;
}

export type JobReply = (
  | {
      index: number;
      ok: true;
      runId: string;
      durationMs: number;
      steps: StepRecord[];
      headline: Record<string, number>;
    }
  | {index: number; ok: false; message: string; exitCode: number}
) &
  Moved;

export interface Pool {
  /** Runs the jobs, handing the next to whichever worker is free; replies come back in job order. */
  run(requests: readonly JobRequest[], onReply?: (reply: JobReply) => void): Promise<JobReply[]>;
  /** Lets workers that never got a job go (when the sweep fails before its jobs). */
  close(): void;
}

/**
 * The program a worker runs (the host's, which loads configs with its own catalog): its bundled
 * name (lib/<bundle>.js) and its TypeScript source.
 */
export interface WorkerEntry {
  bundle: string;
  source: URL;
}

/**
 * How to start a worker: from the esbuild bundle (lib/<bundle>.js) when it is fresh (see
 * bundledEntry), else the TypeScript source through tsx.
 */
export function workerCommand(
  entry: WorkerEntry,
  env: NodeJS.ProcessEnv = process.env
): {path: string; execArgv: string[]} {
  const bundled = bundledEntry(entry.bundle, env);
  if (bundled) return {path: bundled, execArgv: []};
  // Resolved from here so a project folder without node_modules of its own still finds tsx.
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return {path: fileURLToPath(entry.source), execArgv: ["--import", tsx]};
}

/** Workers started ahead of their sweep (prestartWorkers), for startPool to take. */
const early: ChildProcess[] = [];

function spawnWorker(entry: WorkerEntry): ChildProcess {
  const command = workerCommand(entry);
  const child = fork(command.path, [], {
    execArgv: command.execArgv,
    stdio: ["ignore", "ignore", "pipe", "ipc"]
  });
  child.on("error", () => undefined); // a failed send shows up as the exit
  return child;
}

/** Whether a worker holds this process open (an early one does not until a pool takes it). */
function hold(child: ChildProcess, on: boolean): void {
  for (const handle of [child, child.channel, child.stderr] as ({ref?(): void; unref?(): void} | null)[])
    if (on) handle?.ref?.();
    else handle?.unref?.();
}

/**
 * Starts sweep workers before the sweep is even composed: the CLI calls this as soon as it sees
 * -m, so the workers' start-up overlaps the parent loading the engine. `jobs` is the --jobs value;
 * at most one worker per core starts early. They do not keep this process alive: if no sweep takes
 * them (a bad override), they exit with it.
 */
export function prestartWorkers(jobs: string | undefined, entry: WorkerEntry): void {
  const n = jobs === undefined ? availableParallelism() : Number(jobs);
  if (!Number.isInteger(n) || n < 1) return; // the sweep reports the bad --jobs
  while (early.length < Math.min(n, availableParallelism())) {
    const child = spawnWorker(entry);
    hold(child, false);
    early.push(child);
  }
}

/**
 * Starts worker processes now (or takes those prestartWorkers started), so their start-up
 * (module loading, DuckDB) overlaps whatever the parent does before the jobs are ready. A worker
 * that dies takes only its job down: the job is reported failed and a new worker takes over the
 * queue. `env` is set in each worker before each job.
 */
export function startPool(options: {
  workers: number;
  entry: WorkerEntry;
  env?: Record<string, string>;
}): Pool {
  const spawn = () => spawnWorker(options.entry);
  const count = Math.max(1, options.workers);
  const idle = early.splice(0, count);
  for (const child of idle) hold(child, true);
  for (const child of early.splice(0)) if (child.connected) child.disconnect();
  while (idle.length < count) idle.push(spawn());
  const env = options.env ?? {};
  return {
    async run(requests, onReply) {
      const queue = [...requests];
      const replies = new Map<number, JobReply>();
      const done = (reply: JobReply) => {
        replies.set(reply.index, reply);
        onReply?.(reply);
      };
      const drive = (child: ChildProcess): Promise<void> =>
        new Promise((resolve) => {
          let current: JobRequest | undefined;
          let stderr = "";
          child.stderr?.on(
            "data",
            (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000))
          );
          const next = () => {
            current = queue.shift();
            if (current) child.send({...current, env});
            else child.disconnect();
          };
          child.on("message", (reply: JobReply) => {
            done(reply);
            next();
          });
          child.on("exit", (code, signal) => {
            if (!current || replies.has(current.index)) return resolve();
            const why = stderr.trim().split("\n").pop() || `exit ${signal ?? code}`;
            done({index: current.index, ok: false, message: `worker died: ${why}`, exitCode: 1});
            void (queue.length ? drive(spawn()) : Promise.resolve()).then(resolve);
          });
          if (child.exitCode !== null || child.signalCode !== null) void drive(spawn()).then(resolve);
          else next();
        });
      await Promise.all(idle.splice(0).map(drive));
      return requests.map((r) => replies.get(r.index)!);
    },
    close() {
      for (const child of idle.splice(0)) if (child.connected) child.disconnect();
    }
  };
}
