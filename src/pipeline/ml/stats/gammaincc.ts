/** Lanczos coefficients (g = 607/128, 15 terms; Godfrey), good to about 1e-15 relative. */
const G = 607 / 128;
const LANCZOS = [
  0.9999999999999971, 57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  0.00003399464998481189, 0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125,
  -0.00021026444172410488, 0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275,
  -0.000026190838401581408, 0.0000036899182659531625
];

/** log Γ(a) for a > 0. */
export function lgamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - lgamma(1 - a);
  const z = a - 1;
  let sum = LANCZOS[0];
  for (let k = 1; k < LANCZOS.length; ++k) sum += LANCZOS[k] / (z + k);
  const t = z + G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 2 ** -53;
const TINY = 1e-300;

/**
 * Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), so chi2.sf(s, k) = Q(k/2, s/2).
 * Below x = a + 1 the series for P converges fast and Q = 1 - P is not small there (no cancellation
 * worth fearing); above it, Legendre's continued fraction (modified Lentz) gives Q directly, so tiny
 * p-values keep their relative precision. The prefactor x^a e^-x / Γ(a) is taken in logs so large
 * statistics underflow gracefully to 0 rather than overflow.
 */
export function gammaincc(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const logPrefactor = a * Math.log(x) - x - lgamma(a);
  if (x < a + 1) {
    // P(a, x) = x^a e^-x / Γ(a + 1) · Σ x^n / ((a + 1)…(a + n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return 1 - Math.exp(logPrefactor) * sum;
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10000; ++n) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logPrefactor) * h;
}
