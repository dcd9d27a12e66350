/**
 * A helper thread of a histogram gradient boosting fit (started by HgbTeam): lays a workspace
 * over the fit's shared memory, then does its share of each task the fit posts until told to stop.
 */
import {workerData} from "node:worker_threads";
import {lossFromSpec} from "./hgbLoss.ts";
import {decode, DONE, FAILED, READY, SEQ, SPIN_MS, STOP, type HelperData} from "./hgbTeam.ts";
import {HgbWorkspace} from "./hgbWorkspace.ts";

const {memory, dims, loss: spec, ctrl, params, index, threads, errors} = workerData as HelperData;
const ws = new HgbWorkspace(dims, {memory});
const loss = lossFromSpec(spec);
Atomics.add(ctrl, READY, 1);
Atomics.notify(ctrl, READY);
let seen = 0;
for (;;) {
  // Tasks come every millisecond or so while trees grow: spin a little before sleeping, as
  // OpenMP's threads do, since waking a sleeping thread costs about as much as a small task.
  const spinUntil = performance.now() + SPIN_MS;
  while (Atomics.load(ctrl, SEQ) === seen && performance.now() < spinUntil);
  Atomics.wait(ctrl, SEQ, seen);
  const seq = Atomics.load(ctrl, SEQ);
  if (seq === STOP) break;
  if (seq === seen) continue;
  seen = seq;
  try {
    ws.share(decode(params), index, threads, loss);
  } catch (error) {
    errors.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(ctrl, FAILED, index);
  }
  Atomics.store(ctrl, DONE + index, seq);
  Atomics.notify(ctrl, DONE + index);
}
errors.close();
