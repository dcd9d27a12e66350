/**
 * The steps whose outputs each page-data file reads, by output file name. A loader listed here goes
 * stale only when one of those steps' keys changes (keys are Merkle hashes, so an upstream change
 * reaches them too): editing `model.params.C` re-runs the metrics loader, not the data profile.
 * A loader not listed reads the whole run and the config, so any change makes it stale.
 */
export const loaderSteps: Record<string, readonly string[]> = {
  "eda.json": ["clean", "split"],
  "checks.json": ["check"],
  "features.json": ["evaluate"],
  "metrics.json": ["evaluate"],
  "model.json": ["split", "train", "register"]
};

/**
 * What each page-data file shows from the tracking database beyond its steps' outputs: the runs of
 * its pipeline (Experiments) or the model registry (Model card). A new run or a moved alias makes
 * it stale although no step key changed.
 */
export const loaderTracking: Record<string, "runs" | "registry"> = {
  "experiments.json": "runs",
  "model.json": "registry"
};
