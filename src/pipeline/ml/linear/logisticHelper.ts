/**
 * A helper thread of a large logistic regression fit (logisticObjective): on each evaluation the
 * calling thread bumps `signal[0]`; this thread then takes row chunks until none is left, writing
 * each chunk's loss and gradient into the shared partials. A negative signal ends it.
 */
import {workerData} from "node:worker_threads";
import {chunkLossGrad, chunkScratch, type LogisticHelperData} from "./logisticLoss.ts";
import {runChunks} from "../threads/rowChunks.ts";

const {kernel, w, partials, ctrl, signal, chunks, index} = workerData as LogisticHelperData;
const size = kernel.vectors * kernel.stride;
const scratch = chunkScratch(kernel, index);
for (let seen = 0; ;) {
  Atomics.wait(signal, 0, seen);
  const now = Atomics.load(signal, 0);
  if (now < 0) break;
  seen = now;
  runChunks(ctrl, chunks, kernel.X.rows, (from, to, c) =>
    chunkLossGrad(kernel, w, from, to, partials, c * (size + 1), scratch)
  );
}
