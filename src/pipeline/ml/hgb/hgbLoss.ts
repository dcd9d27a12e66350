/**
 * The three losses of sklearn's HistGradientBoosting defaults, on raw predictions (one
 * Float64Array per tree of an iteration). Gradients and hessians are float32, as sklearn's
 * `G_H_DTYPE`, which also halves the memory the histogram loops stream through.
 */
export interface HgbLoss {
  /** How to make this loss again (in a helper thread of the fit). */
  readonly spec: HgbLossSpec;
  /** Trees per boosting iteration: K for multiclass, else 1. */
  readonly nTrees: number;
  /** Hessians are all 1 and need not be computed nor summed. */
  readonly constantHessian: boolean;
  /** sklearn's `fit_intercept_only`: the raw prediction of the best constant model. */
  baseline(y: Float64Array): Float64Array;
  gradients(y: Float64Array, raw: readonly Float64Array[], g: Float32Array[], h: Float32Array[]): void;
  /** Mean loss, as sklearn's `_loss(...)` used by early stopping with scoring="loss". */
  loss(y: Float64Array, raw: readonly Float64Array[]): number;
  /** Each row's loss, rows [from, to) into `out[0 … to - from)`; `loss` is their mean, in order. */
  rowLosses(y: Float64Array, raw: readonly Float64Array[], from: number, to: number, out: Float64Array): void;
}

/** The mean of a loss's row losses, summed in row order (a small buffer at a time). */
export function meanRowLoss(loss: HgbLoss, y: Float64Array, raw: readonly Float64Array[]): number {
  const buffer = new Float64Array(Math.min(y.length, 4096));
  let s = 0;
  for (let from = 0; from < y.length; from += buffer.length) {
    const to = Math.min(y.length, from + buffer.length);
    loss.rowLosses(y, raw, from, to, buffer);
    for (let i = 0; i < to - from; ++i) s += buffer[i];
  }
  return s / y.length;
}

export type HgbLossSpec =
  | {readonly name: "half_squared_error"}
  | {readonly name: "half_binomial"}
  | {readonly name: "half_multinomial"; readonly nClasses: number};

export function lossFromSpec(spec: HgbLossSpec): HgbLoss {
  if (spec.name === "half_squared_error") return halfSquaredError;
  if (spec.name === "half_binomial") return halfBinomial;
  return halfMultinomial(spec.nClasses);
}

/** Half squared error: gradient `raw - y`, hessian 1, baseline the mean. */
export const halfSquaredError: HgbLoss = {
  spec: {name: "half_squared_error"},
  nTrees: 1,
  constantHessian: true,
  baseline(y) {
    let s = 0;
    for (let i = 0; i < y.length; ++i) s += y[i];
    return Float64Array.of(s / y.length);
  },
  gradients(y, [raw], [g]) {
    for (let i = 0; i < y.length; ++i) g[i] = raw[i] - y[i];
  },
  loss(y, raw) {
    return meanRowLoss(this, y, raw);
  },
  rowLosses(y, [raw], from, to, out) {
    for (let i = from; i < to; ++i) {
      const d = raw[i] - y[i];
      out[i - from] = 0.5 * d * d;
    }
  }
};

const EPS = 2.220446049250313e-16;

/** Half binomial log-loss on the log-odds, in sklearn's overflow-safe forms. */
export const halfBinomial: HgbLoss = {
  spec: {name: "half_binomial"},
  nTrees: 1,
  constantHessian: false,
  baseline(y) {
    let s = 0;
    for (let i = 0; i < y.length; ++i) s += y[i];
    const p = Math.min(Math.max(s / y.length, 10 * EPS), 1 - 10 * EPS);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, [raw], [g], [h]) {
    for (let i = 0; i < y.length; ++i) {
      const r = raw[i];
      const t = y[i];
      if (r > -37) {
        const e = Math.exp(-r);
        const d = 1 + e;
        g[i] = (1 - t - t * e) / d;
        h[i] = e / (d * d);
      } else {
        const e = Math.exp(r);
        g[i] = e - t;
        h[i] = e;
      }
    }
  },
  loss(y, raw) {
    return meanRowLoss(this, y, raw);
  },
  rowLosses(y, [raw], from, to, out) {
    for (let i = from; i < to; ++i) out[i - from] = log1pExp(raw[i]) - y[i] * raw[i];
  }
};

function log1pExp(x: number): number {
  if (x <= -37) return Math.exp(x);
  if (x <= -2) return Math.log1p(Math.exp(x));
  if (x <= 18) return Math.log(1 + Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}

/** Half multinomial log-loss with the symmetric (centred log-prior) baseline. */
export function halfMultinomial(nClasses: number): HgbLoss {
  const p = new Float64Array(nClasses);
  return {
    spec: {name: "half_multinomial", nClasses},
    nTrees: nClasses,
    constantHessian: false,
    baseline(y) {
      const out = new Float64Array(nClasses);
      for (let i = 0; i < y.length; ++i) out[y[i]] += 1;
      let mean = 0;
      for (let k = 0; k < nClasses; ++k) {
        out[k] = Math.log(Math.min(Math.max(out[k] / y.length, EPS), 1 - EPS));
        mean += out[k];
      }
      mean /= nClasses;
      for (let k = 0; k < nClasses; ++k) out[k] -= mean;
      return out;
    },
    gradients(y, raw, g, h) {
      for (let i = 0; i < y.length; ++i) {
        softmax(raw, i, p);
        const t = y[i];
        for (let k = 0; k < nClasses; ++k) {
          g[k][i] = p[k] - (t === k ? 1 : 0);
          h[k][i] = p[k] * (1 - p[k]);
        }
      }
    },
    loss(y, raw) {
      return meanRowLoss(this, y, raw);
    },
    rowLosses(y, raw, from, to, out) {
      for (let i = from; i < to; ++i) {
        let max = -Infinity;
        for (let k = 0; k < nClasses; ++k) if (raw[k][i] > max) max = raw[k][i];
        let sum = 0;
        for (let k = 0; k < nClasses; ++k) sum += Math.exp(raw[k][i] - max);
        out[i - from] = Math.log(sum) + max - raw[y[i]][i];
      }
    }
  };
}

/** Row i's class probabilities from raw predictions, max-shifted against overflow. */
export function softmax(raw: readonly Float64Array[], i: number, out: Float64Array): void {
  const k = raw.length;
  let max = -Infinity;
  for (let c = 0; c < k; ++c) if (raw[c][i] > max) max = raw[c][i];
  let sum = 0;
  for (let c = 0; c < k; ++c) {
    const e = Math.exp(raw[c][i] - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < k; ++c) out[c] /= sum;
}
