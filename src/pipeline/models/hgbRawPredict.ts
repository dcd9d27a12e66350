import type {HgbFit} from "./fitHistGradientBoosting.ts";
import {addTreePrediction} from "./hgbTree.ts";
import type {Features} from "./types.ts";

/** Raw predictions (log-odds, class scores or values), one Float64Array per output. */
export function hgbRawPredict(fit: HgbFit, X: Features): Float64Array[] {
  return Array.from(fit.baseline, (b, k) => {
    const out = new Float64Array(X.rows).fill(b);
    for (const trees of fit.trees) addTreePrediction(trees[k], X, out);
    return out;
  });
}
