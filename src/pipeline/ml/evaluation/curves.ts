import {precisionRecallCurve, rocCurve} from "../metrics/index.ts";

/** A curve as plain JSON points, thinned to at most `max` points for a page. */
export interface CurvePoints {
  x: number[];
  y: number[];
}

/** One-vs-rest ROC and PR curves per class (binary: the positive class only). */
export function classCurves(labels: Int32Array, proba: Float64Array[], classes: string[], max = 200) {
  const which = classes.length === 2 ? [1] : classes.map((_, k) => k);
  return which.map((k) => {
    const roc = rocCurve(labels, proba[k], {posLabel: k});
    const pr = precisionRecallCurve(labels, proba[k], k);
    return {
      class: classes[k],
      roc: thin({x: Array.from(roc.fpr), y: Array.from(roc.tpr)}, max),
      pr: thin({x: Array.from(pr.recall), y: Array.from(pr.precision)}, max)
    };
  });
}

function thin(curve: CurvePoints, max: number): CurvePoints {
  const n = curve.x.length;
  if (n <= max) return curve;
  const keep = Array.from({length: max}, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
  return {x: keep.map((i) => curve.x[i]), y: keep.map((i) => curve.y[i])};
}

/**
 * Positive-class scores binned per true class: from these counts a page recomputes the confusion
 * matrix, precision, recall and F1 at any threshold on the bin edges, without shipping every row.
 */
export function scoreHistogram(labels: Int32Array, score: Float64Array, bins = 100) {
  const positive = new Array<number>(bins).fill(0);
  const negative = new Array<number>(bins).fill(0);
  for (let i = 0; i < score.length; ++i) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(score[i] * bins)));
    if (labels[i] === 1) positive[b] += 1;
    else negative[b] += 1;
  }
  return {bins, positive, negative};
}
