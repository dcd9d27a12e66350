import type {HgbFit} from "./fitHistGradientBoosting.ts";

/**
 * Total split gain (loss reduction) per feature over every tree, normalised to sum to 1, like
 * LightGBM's importance_type="gain". sklearn's HistGradientBoosting has no built-in importances
 * (it points to permutation importance); this is the impurity-style analogue of its trees'.
 */
export function hgbImportances(fit: HgbFit, nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  for (const trees of fit.trees) {
    for (const tree of trees) {
      for (let i = 0; i < tree.feature.length; ++i)
        if (tree.feature[i] >= 0) out[tree.feature[i]] += tree.gain[i];
    }
  }
  let total = 0;
  for (const v of out) total += v;
  if (total > 0) for (let j = 0; j < nFeatures; ++j) out[j] /= total;
  return out;
}
