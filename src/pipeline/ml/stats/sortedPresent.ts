/** Below this many values the built-in sort is as fast as the radix passes' fixed cost. */
const RADIX_FROM = 4096;
const DIGITS = 65536;

/**
 * The column's values without NaN, in ascending order (−0 before 0): what `column.filter(v => v
 * === v).sort()` gives, in linear time. Four stable counting passes of 16 bits over each value's
 * bits (mapped so that unsigned order is numeric order), skipping a pass whose digit is the same in
 * every value — integer-valued columns skip most. A few times faster than the built-in sort of a
 * million-row column, and `filter` with a callback costs as much again.
 */
export function sortedPresent(column: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < column.length; ++i) if (column[i] === column[i]) ++n;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < column.length; ++i) {
    const v = column[i];
    if (v === v) out[k++] = v;
  }
  if (n < RADIX_FROM) return out.sort();
  const words = new Uint32Array(out.buffer);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; ++i) {
    // Little-endian: the low word first. Negatives flip whole, positives flip the sign bit.
    const l = words[2 * i];
    const h = words[2 * i + 1];
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let loTmp = new Uint32Array(n);
  let hiTmp = new Uint32Array(n);
  const counts = new Int32Array(DIGITS);
  for (const [word, shift] of [
    [0, 0],
    [0, 16],
    [1, 0],
    [1, 16]
  ] as const) {
    const keys = word === 0 ? lo : hi;
    counts.fill(0);
    for (let i = 0; i < n; ++i) ++counts[(keys[i] >>> shift) & 0xffff];
    if (counts[(keys[0] >>> shift) & 0xffff] === n) continue; // one digit: the order stands
    let sum = 0;
    for (let d = 0; d < DIGITS; ++d) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; ++i) {
      const at = counts[(keys[i] >>> shift) & 0xffff]++;
      loTmp[at] = lo[i];
      hiTmp[at] = hi[i];
    }
    [lo, loTmp] = [loTmp, lo];
    [hi, hiTmp] = [hiTmp, hi];
  }
  for (let i = 0; i < n; ++i) {
    const h = hi[i];
    if (h & 0x80000000) {
      words[2 * i] = lo[i];
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~lo[i] >>> 0;
      words[2 * i + 1] = ~h >>> 0;
    }
  }
  return out;
}
