import {checkSameLength} from "./labels.ts";

type Values = ArrayLike<number>;

/** Coefficient of determination; 1 for a perfect fit of a constant target and 0 otherwise (sklearn's force_finite). */
export function r2(yTrue: Values, yPred: Values): number {
  checkSameLength("r2", yTrue, yPred);
  const mean = meanOf(yTrue);
  let ssRes = 0,
    ssTot = 0;
  for (let i = 0; i < yTrue.length; ++i) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  return finiteRatio(ssRes, ssTot);
}

/** Like R² but forgiving a constant bias: 1 − Var(y − ŷ) / Var(y). */
export function explainedVariance(yTrue: Values, yPred: Values): number {
  checkSameLength("explained_variance", yTrue, yPred);
  const n = yTrue.length;
  let diffMean = 0;
  for (let i = 0; i < n; ++i) diffMean += yTrue[i] - yPred[i];
  diffMean /= n;
  const mean = meanOf(yTrue);
  let num = 0,
    den = 0;
  for (let i = 0; i < n; ++i) {
    num += (yTrue[i] - yPred[i] - diffMean) ** 2;
    den += (yTrue[i] - mean) ** 2;
  }
  return finiteRatio(num / n, den / n);
}

export function meanAbsoluteError(yTrue: Values, yPred: Values): number {
  checkSameLength("mae", yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; ++i) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

export function meanSquaredError(yTrue: Values, yPred: Values): number {
  checkSameLength("mse", yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; ++i) s += (yTrue[i] - yPred[i]) ** 2;
  return s / yTrue.length;
}

export function rootMeanSquaredError(yTrue: Values, yPred: Values): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/** Median of |y − ŷ|, averaging the middle pair for an even count as numpy's median does. */
export function medianAbsoluteError(yTrue: Values, yPred: Values): number {
  checkSameLength("median_ae", yTrue, yPred);
  const n = yTrue.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; ++i) d[i] = Math.abs(yTrue[i] - yPred[i]);
  const upper = select(d, n >> 1);
  if (n % 2) return upper;
  // After selection everything before n/2 is ≤ d[n/2]; the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; ++i) if (d[i] > lower) lower = d[i];
  return (lower + upper) / 2;
}

/** Hoare's quickselect (median-of-three pivot): the k-th smallest, with d partitioned around it. */
function select(d: Float64Array, k: number): number {
  let lo = 0,
    hi = d.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(d[lo], d[mid], d[hi]);
    let i = lo,
      j = hi;
    while (i <= j) {
      while (d[i] < pivot) ++i;
      while (d[j] > pivot) --j;
      if (i <= j) {
        const t = d[i];
        d[i++] = d[j];
        d[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return d[k];
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/**
 * Mean of |y − ŷ| / |y| as a fraction (not a percentage), with |y| floored at machine epsilon as
 * sklearn does, so a zero target gives a huge but finite error instead of Infinity.
 */
export function meanAbsolutePercentageError(yTrue: Values, yPred: Values): number {
  checkSameLength("mape", yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; ++i) {
    s += Math.abs(yPred[i] - yTrue[i]) / Math.max(Math.abs(yTrue[i]), Number.EPSILON);
  }
  return s / yTrue.length;
}

function meanOf(y: Values): number {
  let s = 0;
  for (let i = 0; i < y.length; ++i) s += y[i];
  return s / y.length;
}

function finiteRatio(num: number, den: number): number {
  if (den === 0) return num === 0 ? 1 : 0;
  return 1 - num / den;
}
