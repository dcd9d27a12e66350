import {Matrix, SingularValueDecomposition} from "ml-matrix";

const EPS = 2.220446049250313e-16;

/**
 * Minimum-norm least squares argmin ‖A·w − b‖ (what LAPACK gelsd gives sklearn). Householder QR of
 * the columns avoids squaring the condition number as the normal equations would; the small p×p
 * factor R then goes through an SVD, so collinear columns share their weight instead of blowing up.
 * Singular values below max(n, p)·ε·σ_max count as zero (numpy's lstsq cutoff).
 *
 * Overwrites `cols` and `b` (pass copies).
 */
export function leastSquares(cols: Float64Array[], rows: number, b: Float64Array): Float64Array {
  const p = cols.length;
  const r = Matrix.zeros(p, p);
  for (let k = 0; k < Math.min(p, rows); ++k) {
    const a = cols[k];
    let norm2 = 0;
    for (let i = k; i < rows; ++i) norm2 += a[i] * a[i];
    const norm = Math.sqrt(norm2);
    if (norm === 0) continue;
    const alpha = a[k] >= 0 ? -norm : norm;
    // Reflector v = a[k:] − α·e₁, stored over a[k:]; H = I − 2vvᵀ/‖v‖² maps a[k:] to α·e₁.
    a[k] -= alpha;
    // ‖v‖² = 2‖a‖² − 2α·a_k = −2α·v_k: no cancellation since α and a_k have opposite signs.
    const vv = -2 * alpha * a[k];
    const reflect = (c: Float64Array) => {
      let dot = 0;
      for (let i = k; i < rows; ++i) dot += a[i] * c[i];
      const t = (2 * dot) / vv;
      for (let i = k; i < rows; ++i) c[i] -= t * a[i];
    };
    for (let j = k + 1; j < p; ++j) reflect(cols[j]);
    reflect(b);
    r.set(k, k, alpha);
    for (let j = k + 1; j < p; ++j) r.set(k, j, cols[j][k]);
  }
  const qtb = new Float64Array(p);
  qtb.set(b.subarray(0, Math.min(p, rows)));
  const svd = new SingularValueDecomposition(r, {autoTranspose: true});
  const sigma = svd.diagonal;
  const cutoff = Math.max(rows, p) * EPS * Math.max(0, ...sigma);
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const w = new Float64Array(p);
  for (let s = 0; s < sigma.length; ++s) {
    if (!(sigma[s] > cutoff)) continue;
    let coef = 0;
    for (let i = 0; i < p; ++i) coef += u.get(i, s) * qtb[i];
    coef /= sigma[s];
    for (let j = 0; j < p; ++j) w[j] += v.get(j, s) * coef;
  }
  return w;
}
