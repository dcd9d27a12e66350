/** 8.3e-6, 0.041, 0.43: two significant digits, small ones as exponents (drift and monitor messages). */
export function shortNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}
