/** mlbook's public API. */

// Pipelines: load a config, run it.
export {loadConfig, type Config, type LoadedConfig} from "./pipeline/engine/config.ts";
export {
  runPipeline,
  pipelineStatus,
  type RunResult,
  type RunOptions,
  type RunLogger
} from "./pipeline/engine/run.ts";

// Models: load an exported bundle and score rows with it.
export {
  loadModel,
  modelFromBundle,
  scoreFile,
  type Model,
  type PredictionRow
} from "./pipeline/score/predict.ts";
export type {ModelBundle, SignatureColumn, Predictions} from "./pipeline/ml/bundle.ts";

// Errors: one shape, with the exit code the CLI uses.
export {MlbookError, ConfigError, DataError} from "./pipeline/errors.ts";
