/** Class indices: an Int32Array from a classifier, or a plain number[] from a test table. */
export type Labels = ArrayLike<number>;

/**
 * Predicted probabilities: one Float64Array per class (`proba[k][i]`, as `predictProba` returns
 * them), or a single Float64Array of positive-class scores for a binary target.
 */
export type Proba = Float64Array | readonly Float64Array[];

/** Throws unless both arrays have the same length, naming the metric so the caller knows which one. */
export function checkSameLength(metric: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new Error(`${metric}: y_true has ${a.length} rows but the prediction has ${b.length}`);
  }
}

/** Number of classes spanned by the labels (max + 1); throws on a label that is not a class index. */
export function classCount(...arrays: Labels[]): number {
  let max = -1;
  for (const y of arrays) {
    for (let i = 0; i < y.length; ++i) {
      const v = y[i];
      if (!Number.isInteger(v) || v < 0) {
        throw new Error(`invalid label: ${v} at row ${i} (expected a class index, an integer ≥ 0)`);
      }
      if (v > max) max = v;
    }
  }
  return max + 1;
}

/**
 * The labels present in either array, ascending: sklearn's `unique_labels`, which decides which
 * classes enter macro averages (a class absent from both truth and prediction is not averaged).
 */
export function presentLabels(yTrue: Labels, yPred: Labels): Int32Array {
  const seen = new Uint8Array(classCount(yTrue, yPred));
  for (let i = 0; i < yTrue.length; ++i) seen[yTrue[i]] = 1;
  for (let i = 0; i < yPred.length; ++i) seen[yPred[i]] = 1;
  const out: number[] = [];
  for (let k = 0; k < seen.length; ++k) if (seen[k]) out.push(k);
  return Int32Array.from(out);
}
