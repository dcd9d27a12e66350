import {fork, type ChildProcess} from "node:child_process";
import {createRequire} from "node:module";
import {fileURLToPath} from "node:url";
import type {StepRecord} from "../run.ts";

export interface JobRequest {
  index: number;
  /** Absolute path of the config file. */
  config: string;
  overrides: string[];
}

export type JobReply =
  | {
      index: number;
      ok: true;
      runId: string;
      durationMs: number;
      steps: StepRecord[];
      headline: Record<string, number>;
    }
  | {index: number; ok: false; message: string; exitCode: number};

export interface Pool {
  /** Runs the jobs, handing the next to whichever worker is free; replies come back in job order. */
  run(requests: readonly JobRequest[], onReply?: (reply: JobReply) => void): Promise<JobReply[]>;
  /** Lets workers that never got a job go (when the sweep fails before its jobs). */
  close(): void;
}

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));
// Workers run TypeScript through tsx as the CLI does; resolved here so a project folder without
// node_modules of its own still finds it.
const tsx = createRequire(import.meta.url).resolve("tsx");

/**
 * Starts worker processes now, so their start-up (tsx, module loading, DuckDB) overlaps whatever
 * the parent does before the jobs are ready. A worker that dies takes only its job down: the job
 * is reported failed and a new worker takes over the queue.
 */
export function startPool(options: {workers: number; env?: Record<string, string>}): Pool {
  const spawnWorker = (): ChildProcess => {
    const child = fork(workerPath, [], {
      execArgv: ["--import", tsx],
      env: {...process.env, ...options.env},
      stdio: ["ignore", "ignore", "pipe", "ipc"]
    });
    child.on("error", () => undefined); // a failed send shows up as the exit
    return child;
  };
  const idle = Array.from({length: Math.max(1, options.workers)}, spawnWorker);
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
            if (current) child.send(current);
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
            void (queue.length ? drive(spawnWorker()) : Promise.resolve()).then(resolve);
          });
          if (child.exitCode !== null || child.signalCode !== null) void drive(spawnWorker()).then(resolve);
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
