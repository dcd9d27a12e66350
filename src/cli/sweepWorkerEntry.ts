import type {WorkerEntry} from "../pipeline/sweep/pool.ts";

/** The sweep worker program (sweepWorker.ts; lib/worker.js in the bundle). */
export const sweepWorkerEntry: WorkerEntry = {
  bundle: "worker",
  source: new URL("./sweepWorker.ts", import.meta.url)
};
