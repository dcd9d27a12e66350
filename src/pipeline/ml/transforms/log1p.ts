/** log(1 + x), stateless: accurate near 0; below -1 gives NaN, as numpy's log1p. */
export function applyLog1p(values: Float64Array): Float64Array {
  return values.map(Math.log1p);
}
