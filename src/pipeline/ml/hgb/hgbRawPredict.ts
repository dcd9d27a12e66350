import {defaultThreads} from "../threads/defaultThreads.ts";
import type {HgbFit} from "./fitHistGradientBoosting.ts";
import type {PredictHelperData} from "./hgbPredictHelper.ts";
import {addForestPrediction} from "./hgbTree.ts";
import {awaitChunks, CHUNK_CTRL_BYTES, chunkCount, runChunks} from "../threads/rowChunks.ts";
import {startThread} from "../threads/startThread.ts";
import type {Features} from "../types.ts";

/** Row chunks helper threads took in this process (tests check that they really took part). */
export const predictStats = {helperChunks: 0};

/** Below this many rows × trees a prediction stays on the calling thread. */
const MIN_THREADED_WORK = 5_000_000;

/**
 * Raw predictions (log-odds, class scores or values), one Float64Array per output. A large
 * prediction is shared with helper threads by row chunks (rowChunks.ts); each row's trees are
 * summed in the same order whoever takes it, so the numbers never depend on the thread count.
 */
export function hgbRawPredict(fit: HgbFit, X: Features, threads = defaultThreads()): Float64Array[] {
  const trees = fit.trees.length * fit.baseline.length;
  const helpers = X.rows * trees >= MIN_THREADED_WORK ? Math.min(threads, 8) - 1 : 0;
  const shared = (n: number) =>
    new Float64Array(helpers ? new SharedArrayBuffer(8 * n) : new ArrayBuffer(8 * n));
  const out = Array.from(fit.baseline, (b) => shared(X.rows).fill(b));
  // Alone, this thread predicts through compiled trees; shared with helpers, every thread walks.
  const add = (from: number, to: number) => addForestPrediction(fit.trees, X, out, from, to, !helpers);
  if (!helpers) {
    add(0, X.rows);
    return out;
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(CHUNK_CTRL_BYTES));
  const chunks = chunkCount(X.rows);
  // The columns go to shared memory once; the trees are small and copied.
  const sharedX: Features = {
    ...X,
    cols: X.cols.map((c) => {
      const copy = shared(c.length);
      copy.set(c);
      return copy;
    })
  };
  const data: PredictHelperData = {trees: fit.trees, X: sharedX, out, ctrl, chunks};
  for (let h = 0; h < helpers; ++h) {
    let worker;
    try {
      worker = startThread(new URL("./hgbPredictHelper.ts", import.meta.url), {workerData: data});
    } catch {
      break; // no helper entry here (an exported model's single file): the chunks are taken here
    }
    worker.unref();
    worker.on("error", () => undefined); // its chunks are then taken here
  }
  const ran = runChunks(ctrl, chunks, X.rows, add);
  awaitChunks(ctrl, chunks, "boosting prediction");
  predictStats.helperChunks += chunks - ran;
  return out;
}
