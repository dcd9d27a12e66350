import type {Rng} from "../rng.ts";

/**
 * Holds out `ceil(fraction * n)` rows for early stopping, as sklearn's `train_test_split`; with
 * `classes`, every class keeps its share (largest remainders get the rounding), as
 * `stratify=y`. Both index lists come back sorted so that gathering rows reads memory in order.
 */
export function validationSplit(
  n: number,
  fraction: number,
  rng: Rng,
  classes?: Int32Array
): {train: Uint32Array; validation: Uint32Array} {
  const nVal = Math.ceil(fraction * n);
  const groups: number[][] = [];
  if (classes) {
    for (let i = 0; i < n; ++i) (groups[classes[i]] ??= []).push(i);
  } else {
    groups.push(Array.from({length: n}, (_, i) => i));
  }
  const present = groups.filter((gr) => gr !== undefined);
  const exact = present.map((gr) => (gr.length * nVal) / n);
  const take = exact.map(Math.floor);
  let left = nVal - take.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((e, k) => k)
    .sort((a, b) => exact[b] - take[b] - (exact[a] - take[a]) || a - b);
  for (const k of byRemainder) {
    if (left > 0 && take[k] < present[k].length) {
      ++take[k];
      --left;
    }
  }
  const isVal = new Uint8Array(n);
  present.forEach((gr, k) => {
    rng.shuffle(gr);
    for (let i = 0; i < take[k]; ++i) isVal[gr[i]] = 1;
  });
  const train = new Uint32Array(n - nVal);
  const validation = new Uint32Array(nVal);
  let a = 0,
    b = 0;
  for (let i = 0; i < n; ++i) {
    if (isVal[i]) validation[b++] = i;
    else train[a++] = i;
  }
  return {train, validation};
}
