import {createRng, type Rng} from "../rng.ts";
import {buildTree, type TreeSettings, type TreeTarget, type TreeWorkspace} from "../tree/buildTree.ts";
import type {FlatTree} from "../tree/flatTree.ts";

/** What every tree of one forest shares; plain data so it can be posted to worker threads. */
export interface ForestTreeJob {
  readonly target: TreeTarget;
  readonly settings: TreeSettings;
  readonly bootstrap: boolean;
}

/**
 * One seed per tree, a function of the forest seed and the tree's index only, so a tree is the same
 * whichever thread grows it and in whatever order (and the first k trees of a bigger forest match).
 */
export function treeSeeds(seed: number, trees: number): Uint32Array {
  const rng = createRng(seed);
  const seeds = new Uint32Array(trees);
  for (let t = 0; t < trees; ++t) seeds[t] = Math.floor(rng.next() * 4294967296);
  return seeds;
}

/**
 * sklearn's bootstrap as weights: `rows` draws with replacement become per-row counts, and the
 * tree weighs rows by them instead of copying rows.
 */
export function bootstrapCounts(
  rng: Rng,
  rows: number,
  out: Float64Array = new Float64Array(rows)
): Float64Array {
  out.fill(0);
  for (let i = 0; i < rows; ++i) ++out[rng.int(rows)];
  return out;
}

/** Rows a tree never saw (count 0), from its seed alone: for out-of-bag scores after training. */
export function outOfBagRows(treeSeed: number, rows: number): Int32Array {
  const counts = bootstrapCounts(createRng(treeSeed), rows);
  let n = 0;
  for (let i = 0; i < rows; ++i) if (counts[i] === 0) ++n;
  const out = new Int32Array(n);
  n = 0;
  for (let i = 0; i < rows; ++i) if (counts[i] === 0) out[n++] = i;
  return out;
}

/** Grows tree number t of a forest: bootstrap counts first, then splits, from one stream. */
export function growForestTree(
  workspace: TreeWorkspace,
  job: ForestTreeJob,
  treeSeed: number,
  weights?: Float64Array
): FlatTree {
  const rng = createRng(treeSeed);
  const counts = job.bootstrap ? bootstrapCounts(rng, workspace.data.rows, weights) : null;
  return buildTree(workspace, job.target, job.settings, counts, rng);
}
