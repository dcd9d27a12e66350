/**
 * Orders strings by Unicode code point, as Python's `sorted` and numpy's `unique` do; JavaScript's
 * `<` compares UTF-16 code units, which disagrees for characters beyond the Basic Multilingual Plane.
 * `null` (a missing category) sorts last, as sklearn sorts NaN last.
 */
export function compareStrings(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ++i) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate encodes a code point above 0xFFFF, so it outranks any non-surrogate unit.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
