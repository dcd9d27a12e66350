import type {TrackingKind} from "../pipeline/tracking/trackedDigest.ts";

/**
 * The artifacts each page-data file reads, by output file name, named as their steps name them.
 * A loader listed here goes stale only when the key of a step making one of them changes (keys are
 * Merkle hashes, so an upstream change reaches them too): editing `model.params.C` re-runs the
 * metrics loader, not the data profile. A loader not listed reads the whole run and the config, so
 * any change makes it stale; one listed with no artifact shows the config alone.
 */
export const loaderArtifacts: Record<string, readonly string[]> = {
  "eda.json": ["clean_data", "train_data", "test_data"],
  "checks.json": ["check_report"],
  "features.json": ["importances"],
  "metrics.json": ["metrics", "curves", "predictions", "test_data"],
  "model.json": ["test_data", "model", "registration", "model_export"],
  // Tracking's monitored batches and the config's thresholds: no artifact of the run.
  "monitoring.json": []
};

/**
 * What each page-data file shows from the tracking database beyond its steps' outputs: the runs of
 * its pipeline (Experiments), the model registry (Model card) or the batches monitored against its
 * models (Monitoring, and the overview's latest batch). A new run or a moved alias makes
 * it stale although no step key changed.
 */
export const loaderTracking: Record<string, readonly TrackingKind[]> = {
  "experiments.json": ["runs"],
  "monitoring.json": ["monitor"],
  "model.json": ["registry"],
  "run.json": ["monitor"],
  // The home page's row of each pipeline: its latest run, registered versions and latest batch.
  "home.json": ["runs", "registry", "monitor"]
};

/**
 * Page data showing every pipeline of the project, not the one its route names: its fingerprint
 * takes every pipeline's step keys, config and tracking, so a run of cars makes the home page stale.
 */
export const everyPipeline: ReadonlySet<string> = new Set(["home.json"]);
