import {checkSameLength, classCount, presentLabels, type Labels} from "./labels.ts";

/** How per-class scores are combined; "binary" reports the positive class alone (sklearn's default). */
export type Average = "binary" | "macro" | "weighted" | "micro";

export interface AverageOptions {
  /** Default "binary", as in sklearn. */
  average?: Average;
  /** The positive class for `average: "binary"`; default 1. */
  posLabel?: number;
  /** Classes to score; default those present in y_true or y_pred (sklearn's unique_labels). */
  labels?: Labels;
}

export interface PerClassScores {
  labels: Int32Array;
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  /** Number of true rows of each class. */
  support: Float64Array;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

// sklearn's zero_division="warn" scores an undefined ratio as 0 (and warns; we have no logger here).
const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** Precision, recall, F1 and support for each class in `labels`. */
export function perClassScores(yTrue: Labels, yPred: Labels, labels?: Labels): PerClassScores {
  checkSameLength("precision_recall_fscore", yTrue, yPred);
  const lab = labels ? Int32Array.from(labels) : presentLabels(yTrue, yPred);
  const k = Math.max(classCount(yTrue, yPred), classCount(lab));
  const tp = new Float64Array(k),
    predicted = new Float64Array(k),
    actual = new Float64Array(k);
  for (let i = 0; i < yTrue.length; ++i) {
    const t = yTrue[i],
      p = yPred[i];
    actual[t] += 1;
    predicted[p] += 1;
    if (t === p) tp[t] += 1;
  }
  const n = lab.length;
  const out: PerClassScores = {
    labels: lab,
    precision: new Float64Array(n),
    recall: new Float64Array(n),
    f1: new Float64Array(n),
    support: new Float64Array(n)
  };
  for (let j = 0; j < n; ++j) {
    const c = lab[j];
    out.precision[j] = ratio(tp[c], predicted[c]);
    out.recall[j] = ratio(tp[c], actual[c]);
    // 2tp / (2tp + fp + fn), sklearn's form since 1.3: defined even when precision is 0/0.
    out.f1[j] = ratio(2 * tp[c], predicted[c] + actual[c]);
    out.support[j] = actual[c];
  }
  return out;
}

/** sklearn's precision_recall_fscore_support with beta = 1, reduced by `average`. */
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  {average = "binary", posLabel = 1, labels}: AverageOptions = {}
): PrecisionRecallF1 {
  if (average === "binary") {
    const present = presentLabels(yTrue, yPred);
    if (present.length > 2) {
      throw new Error(
        `invalid average: "binary" (expected "macro", "weighted" or "micro": the target has ${present.length} classes)`
      );
    }
    if (present.length === 2 && !present.includes(posLabel)) {
      throw new Error(`invalid posLabel: ${posLabel} (expected one of ${Array.from(present).join(", ")})`);
    }
    const s = perClassScores(yTrue, yPred, [posLabel]);
    return {precision: s.precision[0], recall: s.recall[0], f1: s.f1[0]};
  }
  if (average === "micro") return microAverage(yTrue, yPred, labels);
  const s = perClassScores(yTrue, yPred, labels);
  const weights = average === "weighted" ? s.support : new Float64Array(s.labels.length).fill(1);
  return {
    precision: weightedMean(s.precision, weights),
    recall: weightedMean(s.recall, weights),
    f1: weightedMean(s.f1, weights)
  };
}

export function precisionScore(yTrue: Labels, yPred: Labels, options?: AverageOptions): number {
  return precisionRecallF1(yTrue, yPred, options).precision;
}

export function recallScore(yTrue: Labels, yPred: Labels, options?: AverageOptions): number {
  return precisionRecallF1(yTrue, yPred, options).recall;
}

export function f1Score(yTrue: Labels, yPred: Labels, options?: AverageOptions): number {
  return precisionRecallF1(yTrue, yPred, options).f1;
}

function microAverage(yTrue: Labels, yPred: Labels, labels?: Labels): PrecisionRecallF1 {
  checkSameLength("precision_recall_fscore", yTrue, yPred);
  const chosen = new Set(labels ? Array.from(labels) : presentLabels(yTrue, yPred));
  let tp = 0,
    predicted = 0,
    actual = 0;
  for (let i = 0; i < yTrue.length; ++i) {
    const inT = chosen.has(yTrue[i]),
      inP = chosen.has(yPred[i]);
    if (inT) ++actual;
    if (inP) ++predicted;
    if (inT && yTrue[i] === yPred[i]) ++tp;
  }
  return {precision: ratio(tp, predicted), recall: ratio(tp, actual), f1: ratio(2 * tp, predicted + actual)};
}

function weightedMean(values: Float64Array, weights: Float64Array): number {
  let sum = 0,
    w = 0;
  for (let j = 0; j < values.length; ++j) {
    sum += values[j] * weights[j];
    w += weights[j];
  }
  return ratio(sum, w);
}
