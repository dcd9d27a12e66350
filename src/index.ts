/** mlbook's public API. */

// Pipelines: load a config (mlbook's steps and the workspace's own), run it, ask what is stale.
export {loadConfig, builtinCatalog, type Loaded, type PipelineConfig} from "./pipeline/builtins.ts";
export {loadPipelineConfig} from "./pipeline/engine/config.ts";
export type {LoadedConfig} from "./pipeline/engine/loadedConfig.ts";
export {runPipeline, type RunOptions} from "./pipeline/engine/run.ts";
export {pipelineStatus, type StatusRecord} from "./pipeline/engine/status.ts";
export type {RunResult, RunLogger, StepRecord} from "./pipeline/engine/runTypes.ts";
export {buildGraph, type Graph, type Node} from "./pipeline/engine/graph.ts";

// Add-ons attach to a run through hooks; tracking (runs, artifacts, the registry) is one set.
export type {RunHooks, RunContext, RunOutcome, Pin} from "./pipeline/engine/hooks.ts";
export {trackingHooks, type TrackingHookOptions} from "./pipeline/tracking/trackingHooks.ts";
export {createCatalog, type Catalog, type ConfigAddOn} from "./pipeline/engine/catalog.ts";

// Your own steps and models (see the README: "Write your own step", "Bring your own model").
export {
  defineStep,
  type Step,
  type StepContext,
  type InputSpec,
  type OutputSpec,
  type OutputKind,
  type TableValue,
  type FileValue,
  type Config,
  type ConfigureEnv,
  type StepPlan,
  type ArtifactVersion
} from "./pipeline/engine/step.ts";
export {runStep, type TestInput, type TestOutputs} from "./pipeline/engine/runStep.ts";
export {defineModel, type ModelDefinition, type FitInfo} from "./pipeline/engine/model.ts";
export type {Features, Task} from "./pipeline/ml/types.ts";
export {z} from "zod";

// Models: load a bundle and score rows with it.
export {
  loadModel,
  modelFromBundle,
  type Model,
  type ModelOptions,
  type PredictionRow
} from "./pipeline/score/model.ts";
export {scoreFile, type ScoreFileOptions} from "./pipeline/score/scoreFile.ts";
export type {InferencePipeline, InferenceStage} from "./pipeline/ml/inference.ts";
export type {ModelBundle, SignatureColumn, Predictions} from "./pipeline/ml/bundle.ts";

// Your own pages' data (see the README: "Write your own page"): a loader reads artifacts, runs and
// models through it, and the preview and the build make it again exactly when one of them changed.
export {
  pageLoader,
  type PageData,
  type PageArtifact,
  type PageRun,
  type PageRunDetail,
  type PageLoaderOptions
} from "./loaders/pageData.ts";

// Errors: one shape, with the exit code the CLI uses.
export {MlbookError, ConfigError, DataError} from "./pipeline/errors.ts";
