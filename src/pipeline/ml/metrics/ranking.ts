import {precisionRecallCurve, rocCurve} from "./curves.ts";
import {checkSameLength, type Labels} from "./labels.ts";

/** How per-class scores of a one-vs-rest metric are combined. */
export type OvrAverage = "macro" | "weighted";

/** Area under the ROC curve of a binary target (trapezoids over sklearn's ROC points). */
export function rocAuc(yTrue: Labels, score: ArrayLike<number>, posLabel = 1): number {
  let pos = 0;
  for (let i = 0; i < yTrue.length; ++i) if (yTrue[i] === posLabel) ++pos;
  if (pos === 0 || pos === yTrue.length) {
    throw new Error("roc_auc: only one class is present in y_true, so ROC AUC is not defined");
  }
  const {fpr, tpr} = rocCurve(yTrue, score, {posLabel});
  let area = 0;
  for (let i = 1; i < fpr.length; ++i) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return area;
}

/**
 * One-vs-rest ROC AUC of a multiclass target, averaged unweighted ("macro") or by class support
 * ("weighted"). As sklearn does, every class must occur in y_true and each row of probabilities must
 * sum to 1; a two-column input is scored as the binary AUC of column 1.
 */
export function rocAucOvr(
  yTrue: Labels,
  proba: readonly Float64Array[],
  average: OvrAverage = "macro"
): number {
  const k = proba.length;
  for (const col of proba) checkSameLength("roc_auc_ovr", yTrue, col);
  const support = supportOf(yTrue, k, "roc_auc_ovr");
  for (let c = 0; c < k; ++c) {
    if (support[c] === 0) {
      throw new Error(
        `roc_auc_ovr: class ${c} never occurs in y_true, so its one-vs-rest AUC is not defined`
      );
    }
  }
  if (k === 2) return rocAuc(yTrue, proba[1]);
  checkRowsSumToOne(proba);
  return averageOverClasses(k, support, average, (c) => rocAuc(yTrue, proba[c], c));
}

/**
 * Average precision as sklearn defines it: Σ (R_n − R_{n−1}) P_n over the PR curve's steps, not the
 * interpolated 11-point area.
 */
export function averagePrecision(yTrue: Labels, score: ArrayLike<number>, posLabel = 1): number {
  const {precision, recall} = precisionRecallCurve(yTrue, score, posLabel);
  let sum = 0;
  for (let i = 0; i + 1 < recall.length; ++i) sum -= (recall[i + 1] - recall[i]) * precision[i];
  // Rounding can leave -0.0 or a hair below; sklearn clips at 0.
  return Math.max(0, sum);
}

/** Average precision of each class against the rest, averaged like `rocAucOvr`. */
export function averagePrecisionOvr(
  yTrue: Labels,
  proba: readonly Float64Array[],
  average: OvrAverage = "macro"
): number {
  const k = proba.length;
  if (k === 2) return averagePrecision(yTrue, proba[1]);
  const support = supportOf(yTrue, k, "average_precision");
  return averageOverClasses(k, support, average, (c) => averagePrecision(yTrue, proba[c], c));
}

function supportOf(yTrue: Labels, k: number, metric: string): Float64Array {
  const support = new Float64Array(k);
  for (let i = 0; i < yTrue.length; ++i) {
    const c = yTrue[i];
    if (!(Number.isInteger(c) && c >= 0 && c < k)) {
      throw new Error(`${metric}: invalid label ${c} at row ${i} (expected a class index below ${k})`);
    }
    support[c] += 1;
  }
  return support;
}

function averageOverClasses(
  k: number,
  support: Float64Array,
  average: OvrAverage,
  score: (c: number) => number
): number {
  let sum = 0,
    w = 0;
  for (let c = 0; c < k; ++c) {
    const weight = average === "weighted" ? support[c] : 1;
    if (weight === 0) continue;
    sum += weight * score(c);
    w += weight;
  }
  return w === 0 ? 0 : sum / w;
}

// np.allclose(1, row sums) with its default tolerances, the check sklearn makes before OvR AUC.
function checkRowsSumToOne(proba: readonly Float64Array[]): void {
  const n = proba[0]?.length ?? 0;
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (const col of proba) s += col[i];
    if (!(Math.abs(s - 1) <= 1e-8 + 1e-5)) {
      throw new Error(`roc_auc_ovr: probabilities of row ${i} sum to ${s} (expected 1 over the classes)`);
    }
  }
}
