import {kolmogorovSf} from "./kolmogorov.ts";
import {sortedPresent} from "./sortedPresent.ts";

export interface KsResult {
  statistic: number;
  pvalue: number;
  /** How the p-value was computed: "exact" (lattice paths) or "asymp" (Kolmogorov distribution). */
  method: "exact" | "asymp";
  /** The value where the two empirical CDFs differ most, and +1 if a's CDF is above there, else -1. */
  statisticLocation: number;
  statisticSign: 1 | -1;
}

export interface KsOptions {
  /** "auto" (default, as scipy): exact when both samples have at most 10 000 values, else asymptotic. */
  method?: "auto" | "exact" | "asymp";
  alternative?: "two-sided" | "less" | "greater";
  /** The samples are already sorted ascending with no NaN (as DuckDB can hand them over): skip the copy and sort. */
  sorted?: boolean;
}

const MAX_AUTO_N = 10000;

/**
 * Two-sample Kolmogorov–Smirnov test, a port of scipy.stats.ks_2samp. NaN values are dropped first
 * (scipy's nan_policy="omit"). In exact mode the statistic is returned as h / lcm(n, m), the lattice
 * value the p-value was computed for, as scipy does.
 */
export function ksTwoSample(a: Float64Array, b: Float64Array, options: KsOptions = {}): KsResult {
  const alternative = options.alternative ?? "two-sided";
  const data1 = options.sorted ? a : sortedPresent(a);
  const data2 = options.sorted ? b : sortedPresent(b);
  const n1 = data1.length;
  const n2 = data2.length;
  if (!n1 || !n2) throw new RangeError("ks_2samp: both samples need at least one value");

  // cdf1 - cdf2 at every observed value, in scipy's order (sorted a, then sorted b), first max wins.
  let maxS = -Infinity;
  let minS = Infinity;
  let locMax = NaN;
  let locMin = NaN;
  for (const data of [data1, data2]) {
    let i1 = 0;
    let i2 = 0;
    for (const x of data) {
      while (i1 < n1 && data1[i1] <= x) ++i1;
      while (i2 < n2 && data2[i2] <= x) ++i2;
      const diff = i1 / n1 - i2 / n2;
      if (diff > maxS) [maxS, locMax] = [diff, x];
      if (diff < minS) [minS, locMin] = [diff, x];
    }
  }
  const minD = Math.min(Math.max(-minS, 0), 1);
  const useMin = alternative === "less" || (alternative === "two-sided" && minD > maxS);
  let d = useMin ? minD : maxS;
  const statisticLocation = useMin ? locMin : locMax;
  const statisticSign = useMin ? -1 : 1;

  let method: "exact" | "asymp" =
    options.method === "asymp" || (options.method !== "exact" && Math.max(n1, n2) > MAX_AUTO_N)
      ? "asymp"
      : "exact";
  const g = gcd(n1, n2);
  if (options.method === "exact" && n1 / g >= 2147483647 / (n2 / g)) method = "asymp";
  let pvalue = NaN;
  if (method === "exact") {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    const p = h === 0 ? 1 : exactPvalue(n1, n2, g, h, alternative);
    if (p >= 0 && p <= 1) pvalue = p;
    else method = "asymp";
  }
  if (method === "asymp") {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alternative === "two-sided") {
      pvalue = kolmogorovSf(roundHalfEven(en), d);
    } else {
      // Hodges' approximation, eq. 5.3; needs m the larger sample.
      const z = Math.sqrt(en) * d;
      pvalue = Math.exp(-2 * z * z - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3);
    }
  }
  pvalue = Math.min(Math.max(pvalue, 0), 1);
  return {statistic: d, pvalue, method, statisticLocation, statisticSign};
}

function exactPvalue(n1: number, n2: number, g: number, h: number, alternative: string): number {
  if (alternative === "two-sided") {
    return n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  }
  if (n1 === n2) {
    let p = 1;
    for (let j = 0; j < h; ++j) p *= (n1 - j) / (n1 + j + 1);
    return p;
  }
  // An overflowing total makes scipy fall back to asymp; checking it first skips a hopeless O(n³) count.
  const all = binom(n1 + n2, n1);
  if (!Number.isFinite(all)) return NaN;
  const paths = countPathsOutside(n1, n2, g, h);
  return paths > all || !Number.isFinite(paths) ? NaN : paths / all;
}

/** P(D_{n,n} ≥ h/n) by an alternating binomial sum in Horner form (scipy _compute_prob_outside_square). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; --k) {
    let p1 = 1;
    for (let j = 0; j < h; ++j) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * 1 - (share of lattice paths from (0,0) to (m,n) staying strictly inside |x/m - y/n| < h/lcm),
 * with Viehmann's recursion on the complement, which neither overflows nor cancels
 * (scipy _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; ++i) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; ++jj) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

/** Paths that cross m·y ≤ n·x − h·g (one-sided exact, scipy _count_paths_outside_method). */
function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = Array.from({length: lxj}, (_, j) => Math.floor((h + mg * j + ng - 1) / ng));
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; ++j) {
    let bj = binom(xj[j] + j, j);
    for (let i = 0; i < j; ++i) bj -= binom(xj[j] - xj[i] + j - i, j - i) * B[i];
    B[j] = bj;
  }
  let paths = 0;
  for (let j = 0; j < lxj; ++j) paths += B[j] * binom(m - xj[j] + (n - j), n - j);
  return paths;
}

/** Binomial coefficient in floating point (overflows to Infinity past ~1e308, as scipy's does). */
function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; ++i) r = (r * (n - k + i)) / i;
  return r;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
