import {ConfigError} from "../errors.ts";

/** More values than this in one axis is a typo (a step of 0.0001), not a sweep. */
export const maxRangeValues = 100_000;

/**
 * The values of Hydra's `range(start, stop, step)`: r[i] = start + step·i while r[i] < stop (or
 * > stop for a negative step); empty when start is already past stop. Integer arguments give
 * Python's `range`. Float arguments follow Hydra's FloatRange exactly: each float converted
 * exactly to a Decimal, the step added repeatedly in 28-digit decimal arithmetic (half-even), each
 * value converted back to the nearest float — which is why range(0,10,3.3) gives 9.9, not
 * 9.899999999999999.
 */
export function rangeValues(start: number, stop: number, step: number | null = 1): number[] {
  const by = step ?? 1;
  if (by === 0) throw new ConfigError("range() step must not be zero");
  if (![start, stop, by].every(Number.isFinite)) throw new ConfigError("range() takes finite numbers");
  const count = Math.max(0, Math.ceil((stop - start) / by));
  if (count > maxRangeValues)
    throw new ConfigError(`range(${start}, ${stop}, ${by}) has ${count} values (at most ${maxRangeValues})`);
  const out: number[] = [];
  if ([start, stop, by].every(Number.isSafeInteger)) {
    for (let i = 0; i < count; ++i) out.push(start + by * i);
    return out;
  }
  const stopD = exactDecimal(stop);
  const stepD = exactDecimal(by);
  for (
    let v = exactDecimal(start);
    by > 0 ? compare(v, stopD) < 0 : compare(v, stopD) > 0;
    v = add(v, stepD)
  ) {
    out.push(Number(`${v.coef}e${v.exp}`));
  }
  return out;
}

/** coef · 10^exp, exactly. */
interface Decimal {
  coef: bigint;
  exp: number;
}

const precision = 28;

function exactDecimal(x: number): Decimal {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) return {coef: BigInt(x), exp: 0};
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased) mantissa |= 1n << 52n;
  const e = (biased || 1) - 1075;
  // mantissa · 2^e = mantissa · 5^-e · 10^e for e < 0.
  const coef = e >= 0 ? mantissa << BigInt(e) : mantissa * 5n ** BigInt(-e);
  return {coef: negative ? -coef : coef, exp: Math.min(e, 0)};
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}

function compare(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a + b rounded to 28 significant digits, half to even (Python's default decimal context). */
function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  const sum = x + y;
  const digits = (sum < 0n ? -sum : sum).toString().length;
  if (digits <= precision) return {coef: sum, exp};
  const drop = BigInt(digits - precision);
  const divisor = 10n ** drop;
  let q = sum / divisor;
  const r = sum - q * divisor;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > divisor || (twice === divisor && q % 2n !== 0n)) q += sum < 0n ? -1n : 1n;
  return {coef: q, exp: exp + Number(drop)};
}
