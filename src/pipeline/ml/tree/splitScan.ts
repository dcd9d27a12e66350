/**
 * The hot loops of the tree builder, as plain functions of typed arrays (V8 compiles these best):
 * scanning one feature's sorted range for the best split, and scattering a range to the children.
 */

/** sklearn's tie tolerance between consecutive sorted values: a float32, added in float32. */
export const FEATURE_THRESHOLD = Math.fround(1e-7);
export const GINI = 0;
export const ENTROPY = 1;
export const SQUARED_ERROR = 2;

/** The best proxy of the last scan: module state, as property stores after hot loops deoptimise. */
export let scanBest = -Infinity;

/*
 * The scans follow sklearn's loop: a split position p is valid when x[p] is more than
 * FEATURE_THRESHOLD above x[p-1] (float32 arithmetic) and both sides keep minSamplesLeaf rows; the
 * left sums are brought up to p lazily, forwards or (when shorter) back from the end, exactly as
 * Criterion.update does, so float sums round alike. Both directions share one loop (a sign),
 * because a rarely taken branch deoptimises V8's compiled loop and runs the rest in the
 * interpreter. Each returns the first position of its best proxy and leaves the proxy in scanBest.
 */
export function scanClasses(
  vals: Float32Array,
  ord: Int32Array,
  rowData: Float64Array,
  sumTotal: Float64Array,
  sumLeft: Float64Array,
  wTotal: number,
  base: number,
  start: number,
  end: number,
  msl: number,
  crit: number
): number {
  const K = sumTotal.length;
  for (let c = 0; c < K; ++c) sumLeft[c] = 0;
  let wL = 0;
  let pos = start;
  let best = -Infinity;
  let bestPos = -1;
  let prev = vals[2 * (base + start) + 1];
  for (let p = start + 1; p < end; ++p) {
    const v = vals[2 * (base + p) + 1];
    const tie = v <= Math.fround(prev + FEATURE_THRESHOLD);
    prev = v;
    if (tie || p - start < msl || end - p < msl) continue;
    const forward = p - pos <= end - p;
    const sign = forward ? 1 : -1;
    const count = forward ? p - pos : end - p;
    for (let c = 0; c < K; ++c) sumLeft[c] = forward ? sumLeft[c] : sumTotal[c];
    wL = forward ? wL : wTotal;
    for (let k = 0, q = base + (forward ? pos : end - 1); k < count; ++k, q += sign) {
      const r2 = 2 * ord[2 * q];
      const wr = sign * rowData[r2 + 1];
      sumLeft[rowData[r2]] += wr;
      wL += wr;
    }
    pos = p;
    const wR = wTotal - wL;
    let proxy: number;
    if (crit === GINI) {
      let sqL = 0;
      let sqR = 0;
      for (let c = 0; c < K; ++c) {
        const l = sumLeft[c];
        const rr = sumTotal[c] - l;
        sqL += l * l;
        sqR += rr * rr;
      }
      proxy = -wR * (1 - sqR / (wR * wR)) - wL * (1 - sqL / (wL * wL));
    } else {
      proxy =
        -wR * entropyOf(sumTotal, sumLeft, K, wR, true) - wL * entropyOf(sumTotal, sumLeft, K, wL, false);
    }
    if (proxy > best) {
      best = proxy;
      bestPos = p;
    }
  }
  scanBest = best;
  return bestPos;
}

/**
 * scanClasses for gini with two classes, the sums in registers. Weights are whole numbers (ones or
 * bootstrap counts), so class-0 weight = wL − class-1 weight exactly, as sklearn's separate sums.
 */
export function scanGiniBinary(
  vals: Float32Array,
  ord: Int32Array,
  rowData: Float64Array,
  total0: number,
  total1: number,
  wTotal: number,
  base: number,
  start: number,
  end: number,
  msl: number
): number {
  let s1 = 0;
  let wL = 0;
  let pos = start;
  let best = -Infinity;
  let bestPos = -1;
  let prev = vals[2 * (base + start) + 1];
  for (let p = start + 1; p < end; ++p) {
    const v = vals[2 * (base + p) + 1];
    const tie = v <= Math.fround(prev + FEATURE_THRESHOLD);
    prev = v;
    if (tie || p - start < msl || end - p < msl) continue;
    const forward = p - pos <= end - p;
    const sign = forward ? 1 : -1;
    const count = forward ? p - pos : end - p;
    s1 = forward ? s1 : total1;
    wL = forward ? wL : wTotal;
    for (let k = 0, q = base + (forward ? pos : end - 1); k < count; ++k, q += sign) {
      const r2 = 2 * ord[2 * q];
      const wr = sign * rowData[r2 + 1];
      s1 += wr * rowData[r2];
      wL += wr;
    }
    pos = p;
    const wR = wTotal - wL;
    const l0 = wL - s1;
    const r0 = total0 - l0;
    const r1 = total1 - s1;
    const sqL = l0 * l0 + s1 * s1;
    const sqR = r0 * r0 + r1 * r1;
    const proxy = -wR * (1 - sqR / (wR * wR)) - wL * (1 - sqL / (wL * wL));
    if (proxy > best) {
      best = proxy;
      bestPos = p;
    }
  }
  scanBest = best;
  return bestPos;
}

export function scanSquaredError(
  vals: Float32Array,
  ord: Int32Array,
  rowData: Float64Array,
  sumTotal: number,
  wTotal: number,
  base: number,
  start: number,
  end: number,
  msl: number
): number {
  let sumL = 0;
  let wL = 0;
  let pos = start;
  let best = -Infinity;
  let bestPos = -1;
  let prev = vals[2 * (base + start) + 1];
  for (let p = start + 1; p < end; ++p) {
    const v = vals[2 * (base + p) + 1];
    const tie = v <= Math.fround(prev + FEATURE_THRESHOLD);
    prev = v;
    if (tie || p - start < msl || end - p < msl) continue;
    const forward = p - pos <= end - p;
    const sign = forward ? 1 : -1;
    const count = forward ? p - pos : end - p;
    sumL = forward ? sumL : sumTotal;
    wL = forward ? wL : wTotal;
    for (let k = 0, q = base + (forward ? pos : end - 1); k < count; ++k, q += sign) {
      const r2 = 2 * ord[2 * q];
      sumL += sign * rowData[r2];
      wL += sign * rowData[r2 + 1];
    }
    pos = p;
    const sumR = sumTotal - sumL;
    const proxy = (sumL * sumL) / wL + (sumR * sumR) / (wTotal - wL);
    if (proxy > best) {
      best = proxy;
      bestPos = p;
    }
  }
  scanBest = best;
  return bestPos;
}

/**
 * Stable in-place partition of the pairs in items[from, to): rows marked 1 (left) first, then the
 * others, each in their old order. Lefts move down within the range (never past the one being
 * read), rights go to `scratch` and are copied back after them. Branch-free: both destinations are
 * written and only the right one advances, since the marks are as unpredictable as the split.
 */
export function partitionRange(
  items: Float64Array,
  ord: Int32Array,
  mark: Uint8Array,
  scratch: Float64Array,
  from: number,
  lefts: number,
  to: number
): void {
  let l = from;
  let r = 0;
  for (let q = from; q < to; ++q) {
    const pair = items[q];
    const left = mark[ord[2 * q]];
    items[l] = pair;
    scratch[r] = pair;
    l += left;
    r += 1 - left;
  }
  items.set(scratch.subarray(0, r), from + lefts);
}

/** Entropy (bits) of the left counts, or of total − left when `right`, over `weight`. */
export function entropyOf(
  sumTotal: Float64Array,
  sumLeft: Float64Array,
  K: number,
  weight: number,
  right: boolean
): number {
  let entropy = 0;
  for (let c = 0; c < K; ++c) {
    let count = right ? sumTotal[c] - sumLeft[c] : sumLeft[c];
    if (count > 0) {
      count /= weight;
      entropy -= count * (Math.log(count) / Math.LN2);
    }
  }
  return entropy;
}
