/**
 * A helper thread of a large boosting prediction (hgbRawPredict): takes row chunks until none is
 * left, adding every tree's output for its rows to the shared raw predictions, then exits.
 */
import {workerData} from "node:worker_threads";
import type {HgbTree} from "./hgbTree.ts";
import {addForestPrediction} from "./hgbTree.ts";
import {runChunks} from "../threads/rowChunks.ts";
import type {Features} from "../types.ts";

export interface PredictHelperData {
  trees: HgbTree[][];
  X: Features;
  out: Float64Array[];
  ctrl: Int32Array;
  chunks: number;
}

const {trees, X, out, ctrl, chunks} = workerData as PredictHelperData;
runChunks(ctrl, chunks, X.rows, (from, to) => addForestPrediction(trees, X, out, from, to, false));
