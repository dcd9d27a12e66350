/** Equal-width bins [start + i·width, start + (i+1)·width), i < count, covering a range. */
export interface BinGrid {
  start: number;
  width: number;
  count: number;
}

/**
 * Bins a reader can name: widths of 1, 2, 2.5 or 5 times a power of ten, edges on multiples of
 * the width, at most `maxBins` of them. Integer-valued data gets integer widths (one bin per
 * integer when the range is small), so no bin straddles half an integer and none is empty
 * because no integer falls in it.
 */
export function binGrid(lo: number, hi: number, integer: boolean, maxBins = 30): BinGrid {
  if (!(hi > lo)) return {start: integer ? lo : lo - 0.5, width: 1, count: 1};
  // An integer column holds hi − lo + 1 values: as many bins of width 1 when they fit.
  const span = integer ? hi - lo + 1 : hi - lo;
  const steps = integer ? [1, 2, 5] : [1, 2, 2.5, 5];
  let power = Math.floor(Math.log10(span / maxBins));
  for (;;) {
    for (const step of steps) {
      const width = integer ? Math.max(1, step * 10 ** power) : tidy(step * 10 ** power);
      const start = tidy(Math.floor(lo / width) * width);
      const count = Math.floor((hi - start) / width) + 1;
      if (count <= maxBins) return {start, width, count};
    }
    power += 1;
  }
}

/** A computed edge without its floating-point dust (0.30000000000000004 → 0.3). */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}
