import {confusionMatrix} from "./confusionMatrix.ts";
import {checkSameLength, type Labels} from "./labels.ts";

/** Fraction of rows whose predicted class equals the true class. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength("accuracy", yTrue, yPred);
  let hit = 0;
  for (let i = 0; i < yTrue.length; ++i) if (yTrue[i] === yPred[i]) ++hit;
  return hit / yTrue.length;
}

/**
 * Mean per-class recall over the classes present in y_true (sklearn's `adjusted=False`): a class that
 * only appears among the predictions has no defined recall and is left out, as sklearn does with a
 * warning.
 */
export function balancedAccuracy(yTrue: Labels, yPred: Labels): number {
  const m = confusionMatrix(yTrue, yPred);
  let sum = 0,
    n = 0;
  for (let k = 0; k < m.length; ++k) {
    let support = 0;
    for (const c of m[k]) support += c;
    if (support > 0) {
      sum += m[k][k] / support;
      ++n;
    }
  }
  return sum / n;
}

/**
 * Matthews correlation coefficient in its multiclass form (Gorodkin's R_K), which reduces to the
 * usual binary MCC; 0 when either marginal is constant, as sklearn returns.
 */
export function matthewsCorrcoef(yTrue: Labels, yPred: Labels): number {
  const m = confusionMatrix(yTrue, yPred);
  const k = m.length;
  const tSum = new Float64Array(k),
    pSum = new Float64Array(k);
  let correct = 0,
    n = 0;
  for (let t = 0; t < k; ++t) {
    correct += m[t][t];
    for (let p = 0; p < k; ++p) {
      tSum[t] += m[t][p];
      pSum[p] += m[t][p];
      n += m[t][p];
    }
  }
  let tp = 0,
    pp = 0,
    tt = 0;
  for (let c = 0; c < k; ++c) {
    tp += tSum[c] * pSum[c];
    pp += pSum[c] * pSum[c];
    tt += tSum[c] * tSum[c];
  }
  const covYtYp = correct * n - tp;
  const denom = (n * n - pp) * (n * n - tt);
  return denom === 0 ? 0 : covYtYp / Math.sqrt(denom);
}
