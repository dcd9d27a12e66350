import {MessageChannel, receiveMessageOnPort, type MessagePort, type Worker} from "node:worker_threads";
import type {HgbLoss} from "./hgbLoss.ts";
import {MAX_THREADS, type HgbHelpers, type HgbTask} from "./hgbTask.ts";
import type {HgbWorkspace} from "./hgbWorkspace.ts";
import {startThread} from "../threads/startThread.ts";

/** Below this many rows a task is done on the fit's own thread: waking helpers costs more. */
const MIN_ROWS = 8_192;
/** How long a helper may take to start before the fit goes on without helpers. */
const START_TIMEOUT_MS = 10_000;

/** How long a waiting thread spins before it sleeps (see hgbHelper.ts). */
export const SPIN_MS = 2;

/** Control block (an Int32Array on a SharedArrayBuffer) slots. */
export const SEQ = 0;
export const READY = 1;
export const FAILED = 2;
export const DONE = 8;
const CTRL_LENGTH = DONE + MAX_THREADS;

/** Task codes in params[0]; STOP ends a helper. */
const CODES = {gradients: 1, gather: 2, hist: 3, partition: 4, score: 5} as const;
export const STOP = -1;

/** Tasks helpers have shared in this process (tests check that threads really took part). */
export const teamStats = {tasks: 0};

export interface HelperData {
  memory: WebAssembly.Memory;
  dims: HgbWorkspace["dims"];
  loss: HgbLoss["spec"];
  ctrl: Int32Array;
  params: Float64Array;
  /** This helper's share number: 1 … threads - 1 (the fit's own thread is 0). */
  index: number;
  threads: number;
  errors: MessagePort;
}

/**
 * The helper threads of one histogram gradient boosting fit, over the workspace's shared memory.
 * The fit's thread posts a task (gradients, a node's gathered gradients, its histograms, its
 * partition, the validation loss), does share 0 itself, and waits for the helpers' shares. Tasks are tiny and many
 * (a few per tree node), so they go through a shared control block with Atomics rather than
 * messages. Every share is a fixed part of the work (see HgbWorkspace.share), so a fit gives the
 * same trees with any number of threads.
 */
export class HgbTeam implements HgbHelpers {
  private seq = 0;
  private ready = false;
  private disabled = false;

  private constructor(
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    private readonly ctrl: Int32Array,
    private readonly params: Float64Array
  ) {}

  /** Starts `threads - 1` helpers (they load while the fit bins its columns). */
  static start(ws: HgbWorkspace, loss: HgbLoss, threads: number): HgbTeam {
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL_LENGTH));
    const params = new Float64Array(new SharedArrayBuffer(8 * 8));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    for (let index = 1; index < Math.min(threads, MAX_THREADS); ++index) {
      const {port1, port2} = new MessageChannel();
      const workerData: HelperData = {
        memory: ws.sharedMemory,
        dims: ws.dims,
        loss: loss.spec,
        ctrl,
        params,
        index,
        threads: Math.min(threads, MAX_THREADS),
        errors: port2
      };
      const worker = startThread(new URL("./hgbHelper.ts", import.meta.url), {
        workerData,
        transferList: [port2]
      });
      worker.unref();
      // A helper that fails to start shows up as not ready; its error event has no one to tell.
      worker.on("error", () => undefined);
      port1.unref();
      workers.push(worker);
      ports.push(port1);
    }
    return new HgbTeam(workers, ports, ctrl, params);
  }

  /** Threads in the team, the fit's own included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Whether a task over this many rows goes to the helpers. */
  worthIt(rows: number): boolean {
    return !this.disabled && rows >= MIN_ROWS && this.waitReady();
  }

  /** Posts the task, runs share 0 here, and waits for the helpers' shares. */
  run(task: HgbTask, own: (i: number, n: number) => void): void {
    const n = this.size;
    encode(task, this.params);
    teamStats.tasks++;
    const seq = ++this.seq;
    Atomics.store(this.ctrl, SEQ, seq);
    Atomics.notify(this.ctrl, SEQ);
    let error: unknown;
    try {
      own(0, n);
    } catch (e) {
      error = e;
    }
    for (let i = 1; i < n; ++i) {
      // Helpers do a share the size of this thread's: a minute without one means it is gone.
      const deadline = Date.now() + 60_000;
      const spinUntil = performance.now() + SPIN_MS;
      while (Atomics.load(this.ctrl, DONE + i) !== seq && performance.now() < spinUntil);
      for (;;) {
        const done = Atomics.load(this.ctrl, DONE + i);
        if (done === seq) break;
        if (Date.now() > deadline) {
          this.close();
          throw new Error(`histogram gradient boosting: helper thread ${i} stopped answering`);
        }
        Atomics.wait(this.ctrl, DONE + i, done, 1000);
      }
    }
    if (error) throw error;
    const failed = Atomics.load(this.ctrl, FAILED);
    if (failed) {
      const message = receiveMessageOnPort(this.ports[failed - 1])?.message as string | undefined;
      this.close();
      throw new Error(`histogram gradient boosting helper thread failed: ${message ?? "no message"}`);
    }
  }

  /** Ends the helpers (they exit their loop; terminate makes sure). */
  close(): void {
    this.disabled = true;
    Atomics.store(this.ctrl, SEQ, STOP);
    Atomics.notify(this.ctrl, SEQ);
    for (const worker of this.workers) void worker.terminate();
    for (const port of this.ports) port.close();
  }

  private waitReady(): boolean {
    if (this.ready) return true;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(this.ctrl, READY);
      if (ready === this.workers.length) return (this.ready = true);
      const left = deadline - Date.now();
      if (left <= 0) {
        // Results do not depend on threads: go on alone rather than fail the fit.
        this.close();
        return false;
      }
      Atomics.wait(this.ctrl, READY, ready, left);
    }
  }
}

export function encode(task: HgbTask, params: Float64Array): void {
  params[0] = CODES[task.type];
  if (task.type === "gradients") return;
  if (task.type === "score") {
    params[1] = task.trees ? 1 : 0;
    return;
  }
  params[2] = task.start;
  params[3] = task.stop;
  if (task.type === "partition") {
    params[1] = task.feature;
    params[4] = task.binIdx;
    params[5] = task.missingLeft ? 1 : 0;
    return;
  }
  params[1] = task.k;
  if (task.type === "hist") params[4] = task.slot;
}

export function decode(params: Float64Array): HgbTask {
  // params: code, k or feature, start, stop, slot or bin, missing-go-left.
  const [code, a, start, stop, b, c] = params;
  switch (code) {
    case CODES.gradients:
      return {type: "gradients"};
    case CODES.gather:
      return {type: "gather", k: a, start, stop};
    case CODES.hist:
      return {type: "hist", k: a, start, stop, slot: b};
    case CODES.partition:
      return {type: "partition", feature: a, start, stop, binIdx: b, missingLeft: c === 1};
    case CODES.score:
      return {type: "score", trees: a === 1};
    default:
      throw new Error(`unknown histogram gradient boosting task ${code}`);
  }
}
