import type {Worker} from "node:worker_threads";
import {TreeWorkspace} from "../tree/buildTree.ts";
import type {FlatTree} from "../tree/flatTree.ts";
import {growForestTree, type ForestTreeJob} from "./forestTree.ts";
import type {ForestWorkerMessage, ForestWorkerResult} from "./forestWorker.ts";
import {startThread} from "../threads/startThread.ts";
import type {TreeData} from "../tree/treeData.ts";

export interface TrainForestOptions {
  /** Worker threads; 1 grows every tree on the calling thread, synchronously. */
  threads: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Grows one tree per seed. Each tree depends on its seed alone, so the result is the same for any
 * thread count; with threads > 1, `data` should sit on SharedArrayBuffers (prepareTreeData(X, true))
 * so workers read it without copies, and the trees come back as transferred flat arrays.
 */
export function trainForest(
  data: TreeData,
  job: ForestTreeJob,
  seeds: Uint32Array,
  options: TrainForestOptions
): FlatTree[] | Promise<FlatTree[]> {
  const total = seeds.length;
  const threads = Math.min(options.threads, total);
  if (threads <= 1) {
    const workspace = new TreeWorkspace(data);
    const weights = new Float64Array(data.rows);
    const trees: FlatTree[] = [];
    for (let t = 0; t < total; ++t) {
      trees.push(growForestTree(workspace, job, seeds[t], weights));
      options.onProgress?.(t + 1, total);
    }
    return trees;
  }
  return trainInWorkers(data, job, seeds, threads, options.onProgress);
}

function trainInWorkers(
  data: TreeData,
  job: ForestTreeJob,
  seeds: Uint32Array,
  threads: number,
  onProgress?: (done: number, total: number) => void
): Promise<FlatTree[]> {
  const total = seeds.length;
  const trees: FlatTree[] = new Array(total);
  const workers = acquireWorkers(threads);
  let next = 0;
  let done = 0;
  return new Promise<FlatTree[]>((resolve, reject) => {
    let failed = false;
    const detach = (worker: Worker) => {
      worker.removeAllListeners("message");
      worker.removeAllListeners("error");
      worker.removeAllListeners("exit");
    };
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      // A worker that failed mid-fit is not trusted again: none goes back to the pool.
      for (const worker of workers) {
        detach(worker);
        void worker.terminate();
      }
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const assign = (worker: Worker) => {
      if (next >= total) return;
      const message: ForestWorkerMessage = {type: "tree", index: next, seed: seeds[next]};
      ++next;
      worker.postMessage(message);
    };
    for (const worker of workers) {
      worker.on("message", (result: ForestWorkerResult) => {
        trees[result.index] = result.tree;
        ++done;
        onProgress?.(done, total);
        if (done === total) {
          for (const w of workers) detach(w);
          releaseWorkers(workers);
          resolve(trees);
        } else {
          assign(worker);
        }
      });
      worker.on("error", fail);
      worker.on("exit", (code) =>
        fail(new Error(`forest worker exited with code ${code} before all trees were grown`))
      );
      const init: ForestWorkerMessage = {type: "init", data, job};
      worker.postMessage(init);
      assign(worker);
    }
  });
}

/**
 * Idle workers kept between fits (unref'd, so they never hold the process open): starting one
 * costs far more than a small forest, most of it loading TypeScript under tsx.
 */
const idleWorkers: Worker[] = [];

function acquireWorkers(count: number): Worker[] {
  const workers = idleWorkers.splice(0, count);
  while (workers.length < count) workers.push(startWorker());
  for (const worker of workers) {
    worker.removeAllListeners("exit");
    worker.ref();
  }
  return workers;
}

function releaseWorkers(workers: Worker[]): void {
  for (const worker of workers) {
    const release: ForestWorkerMessage = {type: "release"};
    worker.postMessage(release);
    worker.unref();
    worker.once("exit", () => {
      const i = idleWorkers.indexOf(worker);
      if (i >= 0) idleWorkers.splice(i, 1);
    });
    idleWorkers.push(worker);
  }
}

function startWorker(): Worker {
  return startThread(new URL("./forestWorker.ts", import.meta.url));
}
