import {parentPort} from "node:worker_threads";
import {TreeWorkspace} from "../tree/buildTree.ts";
import type {FlatTree} from "../tree/flatTree.ts";
import {growForestTree, type ForestTreeJob} from "./forestTree.ts";
import type {TreeData} from "../tree/treeData.ts";

/** Main → worker messages. A worker outlives one fit: it is pooled and given new data per fit. */
export type ForestWorkerMessage =
  /** The features of a fit (on SharedArrayBuffers, so not copied) and what every tree shares. */
  | {readonly type: "init"; readonly data: TreeData; readonly job: ForestTreeJob}
  /** Grow tree `index` from `seed`. */
  | {readonly type: "tree"; readonly index: number; readonly seed: number}
  /** The fit is over: drop its buffers while the worker idles. */
  | {readonly type: "release"};

/** Worker → main: a grown tree, its arrays transferred rather than copied. */
export interface ForestWorkerResult {
  readonly index: number;
  readonly tree: FlatTree;
}

const port = parentPort;
if (port) {
  let fit: {job: ForestTreeJob; workspace: TreeWorkspace; weights: Float64Array} | null = null;
  port.on("message", (message: ForestWorkerMessage) => {
    if (message.type === "init") {
      fit = {
        job: message.job,
        workspace: new TreeWorkspace(message.data),
        weights: new Float64Array(message.data.rows)
      };
    } else if (message.type === "release") {
      fit = null;
    } else {
      if (!fit) throw new Error("forest worker: a tree was requested before init");
      const tree = growForestTree(fit.workspace, fit.job, message.seed, fit.weights);
      const result: ForestWorkerResult = {index: message.index, tree};
      const arrays = [
        tree.feature,
        tree.threshold,
        tree.left,
        tree.right,
        tree.missingLeft,
        tree.value,
        tree.importances
      ];
      port.postMessage(
        result,
        arrays.map((a) => a.buffer as ArrayBuffer)
      );
    }
  });
}
