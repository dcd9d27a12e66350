import {z} from "zod";
import {DataError} from "../../errors.ts";
import {classCount, type Labels} from "../metrics/labels.ts";
import {createRng} from "../rng.ts";
import {parseParams} from "../transforms/parseParams.ts";

export const splitOptions = z
  .object({
    /** Number of folds; default 5, as sklearn's. */
    folds: z.int().min(2).default(5),
    /** Shuffle before splitting; default false (contiguous folds), as sklearn's. */
    shuffle: z.boolean().default(false),
    /** Seed of the shuffle; without shuffle it changes nothing. */
    seed: z.int().default(0)
  })
  .strict();

export type SplitOptions = z.input<typeof splitOptions>;

/** One fold: row indices to fit on and to score, each ascending, together covering every row once. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/**
 * sklearn's KFold: n rows (shuffled when asked) cut into `folds` consecutive test blocks, the first
 * n % folds of them one row longer.
 */
export function kFold(n: number, options?: SplitOptions): Fold[] {
  const {folds, shuffle, seed} = parseParams(splitOptions, options, "kFold");
  if (!Number.isInteger(n) || n < folds) {
    throw new DataError(
      `kFold: cannot cut ${n} rows into ${folds} folds (expected at least one row per fold)`
    );
  }
  const order = Int32Array.from({length: n}, (_, i) => i);
  if (shuffle) createRng(seed).shuffle(order);
  const foldOf = new Int32Array(n);
  const base = Math.floor(n / folds),
    extra = n % folds;
  for (let f = 0, start = 0; f < folds; ++f) {
    const size = base + (f < extra ? 1 : 0);
    for (let i = start; i < start + size; ++i) foldOf[order[i]] = f;
    start += size;
  }
  return foldsFrom(foldOf, folds);
}

/**
 * sklearn's StratifiedKFold allocation: classes are numbered by first appearance, the labels sorted
 * and dealt round-robin to the folds, which fixes how many rows of each class every fold gets (each
 * fold holds ⌊n_c / folds⌋ or one more of class c, fold sizes differ by at most one). Each class's
 * fold labels are then given to its rows in order, or shuffled when asked; without shuffle the folds
 * equal sklearn's index for index. Unlike sklearn, which only warns, a class with fewer rows than
 * folds is an error: some test fold would miss that class, leaving per-class metrics undefined.
 */
export function stratifiedKFold(y: Labels, options?: SplitOptions): Fold[] {
  const {folds, shuffle, seed} = parseParams(splitOptions, options, "stratifiedKFold");
  const n = y.length;
  const k = classCount(y);
  const rank = new Int32Array(k).fill(-1);
  const counts: number[] = [];
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    if (rank[y[i]] < 0) {
      rank[y[i]] = counts.length;
      counts.push(0);
    }
    encoded[i] = rank[y[i]];
    counts[encoded[i]] += 1;
  }
  for (let c = 0; c < k; ++c) {
    const r = rank[c];
    if (r >= 0 && counts[r] < folds) {
      throw new DataError(
        `stratifiedKFold: class ${c} has ${counts[r]} rows, fewer than folds=${folds} (expected at least one per fold)`
      );
    }
  }
  // allocation[f][c]: rows of class c in fold f, from dealing the sorted labels round-robin.
  const allocation = Array.from({length: folds}, () => new Int32Array(counts.length));
  for (let c = 0, pos = 0; c < counts.length; ++c) {
    for (let j = 0; j < counts[c]; ++j, ++pos) allocation[pos % folds][c] += 1;
  }
  const rng = createRng(seed);
  const foldOf = new Int32Array(n);
  for (let c = 0; c < counts.length; ++c) {
    const labels = new Int32Array(counts[c]);
    for (let f = 0, pos = 0; f < folds; ++f) for (let j = 0; j < allocation[f][c]; ++j) labels[pos++] = f;
    if (shuffle) rng.shuffle(labels);
    for (let i = 0, pos = 0; i < n; ++i) if (encoded[i] === c) foldOf[i] = labels[pos++];
  }
  return foldsFrom(foldOf, folds);
}

function foldsFrom(foldOf: Int32Array, folds: number): Fold[] {
  const n = foldOf.length;
  const sizes = new Int32Array(folds);
  for (let i = 0; i < n; ++i) sizes[foldOf[i]] += 1;
  return Array.from({length: folds}, (_, f) => {
    const test = new Int32Array(sizes[f]),
      train = new Int32Array(n - sizes[f]);
    for (let i = 0, a = 0, b = 0; i < n; ++i) {
      if (foldOf[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    return {train, test};
  });
}
