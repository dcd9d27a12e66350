import {checkSameLength, type Labels, type Proba} from "./labels.ts";

/**
 * Mean negative log-likelihood of the true class. As in sklearn 1.9, probabilities are clipped to
 * [eps, 1 − eps] with eps the float64 machine epsilon, so a confident miss costs ~36 rather than
 * Infinity. Rows are NOT renormalised afterwards: the sklearn 1.9 the fixtures come from no longer does
 * (it only warns when rows do not sum to 1). Class indices run over the probability columns, like sklearn's `labels=range(k)`.
 * A single Float64Array is read as P(class 1) of a binary target.
 */
export function logLoss(yTrue: Labels, proba: Proba): number {
  const cols = proba instanceof Float64Array ? null : proba;
  const k = cols ? cols.length : 2;
  const n = yTrue.length;
  if (cols) for (const c of cols) checkSameLength("log_loss", yTrue, c);
  else checkSameLength("log_loss", yTrue, proba as Float64Array);
  const eps = Number.EPSILON;
  let sum = 0;
  for (let i = 0; i < n; ++i) {
    const c = yTrue[i];
    if (!(Number.isInteger(c) && c >= 0 && c < k)) {
      throw new Error(`log_loss: invalid label ${c} at row ${i} (expected a class index below ${k})`);
    }
    const p = cols ? cols[c][i] : c === 1 ? (proba as Float64Array)[i] : 1 - (proba as Float64Array)[i];
    if (!(p >= 0 && p <= 1))
      throw new Error(`log_loss: invalid probability ${p} at row ${i} (expected 0..1)`);
    sum -= Math.log(Math.min(Math.max(p, eps), 1 - eps));
  }
  return sum / n;
}
