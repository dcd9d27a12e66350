/**
 * sklearn's `find_node_split` over per-feature histograms, in plain TypeScript, written from
 * sklearn's splitting.pyx rules rather than from the kernel: each feature scanned left to right
 * with missing values going right, then (when the feature has missing values) right to left with
 * them going left; a candidate leaves `minSamples` rows and `minHessian` hessian on both sides;
 * the first strictly best gain above `minGain` wins. Arithmetic in the same order as sklearn, so
 * the kernel must agree to the bit.
 */
export interface Histogram {
  /** Per bin 0..255: sum of gradients, sum of hessians, count. */
  g: Float64Array;
  h: Float64Array;
  n: Float64Array;
}

export interface SplitSearch {
  hists: Histogram[];
  nBinsNonMissing: number[];
  hasMissing: boolean[];
  constantHessian: boolean;
  nSamples: number;
  sumG: number;
  sumH: number;
  lossCurrent: number;
  minSamples: number;
  minHessian: number;
  minGain: number;
  l2: number;
}

export interface ReferenceSplit {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gl: number;
  hl: number;
  nl: number;
}

const value = (g: number, h: number, l2: number) => -g / (h + l2 + 1e-15);

export function referenceSplit(s: SplitSearch): ReferenceSplit {
  let best: ReferenceSplit = {gain: -1, feature: 0, bin: 0, missingLeft: false, gl: 0, hl: 0, nl: 0};
  const consider = (
    feature: number,
    bin: number,
    missingLeft: boolean,
    [gl, hl, nl]: [number, number, number],
    [gr, hr]: [number, number]
  ) => {
    const gain = s.lossCurrent - gl * value(gl, hl, s.l2) - gr * value(gr, hr, s.l2);
    if (gain > best.gain && gain > s.minGain) best = {gain, feature, bin, missingLeft, gl, hl, nl};
  };
  s.hists.forEach((hist, f) => {
    const hess = (b: number) => (s.constantHessian ? hist.n[b] : hist.h[b]);
    const last = s.nBinsNonMissing[f] - 1 + (s.hasMissing[f] ? 1 : 0);
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let b = 0; b < last; ++b) {
      nl += hist.n[b];
      hl += hess(b);
      gl += hist.g[b];
      const nr = s.nSamples - nl;
      const hr = s.sumH - hl;
      if (nl < s.minSamples) continue;
      if (nr < s.minSamples) break;
      if (hl < s.minHessian) continue;
      if (hr < s.minHessian) break;
      consider(f, b, false, [gl, hl, nl], [s.sumG - gl, hr]);
    }
    if (!s.hasMissing[f]) return;
    let gr = 0;
    let hr = 0;
    let nr = 0;
    for (let b = last - 2; b >= 0; --b) {
      nr += hist.n[b + 1];
      hr += hess(b + 1);
      gr += hist.g[b + 1];
      const nlr = s.nSamples - nr;
      const hlr = s.sumH - hr;
      if (nr < s.minSamples) continue;
      if (nlr < s.minSamples) break;
      if (hr < s.minHessian) continue;
      if (hlr < s.minHessian) break;
      consider(f, b, true, [s.sumG - gr, hlr, nlr], [gr, hr]);
    }
  });
  return best;
}
