import {checkSameLength, type Labels} from "./labels.ts";

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; thresholds[0] is +Infinity so the curve starts at (0, 0), as in sklearn ≥ 1.3. */
  thresholds: Float64Array;
}

export interface PrCurve {
  /** One longer than thresholds: the last point is (recall 0, precision 1). */
  precision: Float64Array;
  recall: Float64Array;
  /** Increasing distinct scores. */
  thresholds: Float64Array;
}

interface ThresholdCounts {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

/**
 * False and true positive counts when predicting positive for score ≥ t, at each distinct score t
 * from the highest down: sklearn's `confusion_matrix_at_thresholds` without sample weights. The
 * positives' and negatives' scores are sorted apart (native typed-array sorts; sorting row indices
 * with a comparator is ~10× slower in V8) and merged from the top.
 */
function thresholdCounts(yTrue: Labels, score: ArrayLike<number>, posLabel: number): ThresholdCounts {
  checkSameLength("curve", yTrue, score);
  const n = score.length;
  let nPos = 0;
  for (let i = 0; i < n; ++i) {
    if (Number.isNaN(score[i])) throw new Error(`invalid score: NaN at row ${i}`);
    if (yTrue[i] === posLabel) ++nPos;
  }
  const pos = new Float64Array(nPos),
    neg = new Float64Array(n - nPos);
  for (let i = 0, a = 0, b = 0; i < n; ++i) {
    // + 0 turns -0 into +0: numpy counts them as one threshold.
    if (yTrue[i] === posLabel) pos[a++] = score[i] + 0;
    else neg[b++] = score[i] + 0;
  }
  pos.sort();
  neg.sort();
  const fps = new Float64Array(n),
    tps = new Float64Array(n),
    thresholds = new Float64Array(n);
  let i = pos.length - 1,
    j = neg.length - 1,
    m = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === t) --i;
    while (j >= 0 && neg[j] === t) --j;
    tps[m] = pos.length - 1 - i;
    fps[m] = neg.length - 1 - j;
    thresholds[m++] = t;
  }
  return {fps: fps.slice(0, m), tps: tps.slice(0, m), thresholds: thresholds.slice(0, m)};
}

/**
 * sklearn's `roc_curve` with `drop_intermediate=True`: points collinear with their neighbours (no
 * corner in either count) are dropped, which leaves the area unchanged. Without negatives (or
 * positives) fpr (or tpr) is NaN, as sklearn returns with a warning.
 */
export function rocCurve(
  yTrue: Labels,
  score: ArrayLike<number>,
  {posLabel = 1, dropIntermediate = true}: {posLabel?: number; dropIntermediate?: boolean} = {}
): RocCurve {
  let {fps, tps, thresholds} = thresholdCounts(yTrue, score, posLabel);
  if (dropIntermediate && fps.length > 2) {
    // Compact in place: the kept point k ≤ i never overwrites a point still to be tested, since the
    // test at i reads i − 1 from the originals kept in `prevF` / `prevT`.
    const last = fps.length - 1;
    let k = 1,
      prevF = fps[0],
      prevT = tps[0];
    for (let i = 1; i < last; ++i) {
      const f = fps[i],
        t = tps[i];
      if (prevF - 2 * f + fps[i + 1] !== 0 || prevT - 2 * t + tps[i + 1] !== 0) {
        fps[k] = f;
        tps[k] = t;
        thresholds[k++] = thresholds[i];
      }
      prevF = f;
      prevT = t;
    }
    fps[k] = fps[last];
    tps[k] = tps[last];
    thresholds[k++] = thresholds[last];
    fps = fps.subarray(0, k);
    tps = tps.subarray(0, k);
    thresholds = thresholds.subarray(0, k);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m),
    tpr = new Float64Array(m),
    th = new Float64Array(m);
  const negatives = fps[fps.length - 1],
    positives = tps[tps.length - 1];
  th[0] = Infinity;
  for (let i = 1; i < m; ++i) {
    fpr[i] = fps[i - 1] / negatives;
    tpr[i] = tps[i - 1] / positives;
    th[i] = thresholds[i - 1];
  }
  if (!(negatives > 0)) fpr.fill(NaN);
  if (!(positives > 0)) tpr.fill(NaN);
  return {fpr, tpr, thresholds: th};
}

/**
 * sklearn's `precision_recall_curve` (≥ 1.1, drop_intermediate=False): every distinct score is a
 * threshold, including those past full recall, reversed so recall decreases, then (recall 0,
 * precision 1) appended. Without positives recall is 1 everywhere, as sklearn sets it.
 */
export function precisionRecallCurve(yTrue: Labels, score: ArrayLike<number>, posLabel = 1): PrCurve {
  const {fps, tps, thresholds} = thresholdCounts(yTrue, score, posLabel);
  const m = tps.length;
  const positives = tps[m - 1];
  const precision = new Float64Array(m + 1),
    recall = new Float64Array(m + 1),
    th = new Float64Array(m);
  for (let i = 0; i < m; ++i) {
    const j = m - 1 - i;
    const predicted = tps[j] + fps[j];
    precision[i] = predicted === 0 ? 0 : tps[j] / predicted;
    recall[i] = positives === 0 ? 1 : tps[j] / positives;
    th[i] = thresholds[j];
  }
  precision[m] = 1;
  recall[m] = 0;
  return {precision, recall, thresholds: th};
}
