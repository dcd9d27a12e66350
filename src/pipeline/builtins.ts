import {createCatalog, type Catalog} from "./engine/catalog.ts";
import {loadPipelineConfig} from "./engine/config.ts";
import type {CoreConfig} from "./engine/coreConfig.ts";
import type {LoadedConfig} from "./engine/loadedConfig.ts";
import type {ColumnTransformerSpec} from "./ml/transforms/columnTransformer.ts";
import {monitorAddOn, type MonitorConfig} from "./score/monitorConfig.ts";
import {check} from "./steps/check.ts";
import type {CheckParams} from "./steps/checks/rules.ts";
import {clean, type CleanParams} from "./steps/clean.ts";
import {download} from "./steps/download.ts";
import {evaluate, type EvaluateParams, type SelectionConfig} from "./steps/evaluate.ts";
import {featurize, type FeaturizeParams} from "./steps/featurize.ts";
import {ingest, type DataConfig} from "./steps/ingest.ts";
import {register, type RegisterParams} from "./steps/register.ts";
import {split, type SplitParams} from "./steps/split.ts";
import type {ModelConfig} from "./steps/fitConfig.ts";
import {train} from "./steps/train.ts";
import type {SweepConfig} from "./sweep/sweepSchema.ts";
import {sweepAddOn} from "./sweep/sweepAddOn.ts";
import {trackingAddOn, type TrackingConfig} from "./tracking/configSchema.ts";
import {remoteAddOn, type StoreConfig} from "./remote/remoteConfig.ts";

/**
 * mlbook's own steps, in pipeline order, with the config sections of its add-ons (tracking,
 * sweeps, monitoring, the remote store): the catalog every command, loader and script starts from. A config adds the
 * workspace's steps to it under `steps:`.
 */
export const builtinCatalog: Catalog = createCatalog(
  [download, ingest, clean, check, featurize, split, train, evaluate, register],
  [trackingAddOn, sweepAddOn, monitorAddOn, remoteAddOn]
);

/** A config of the built-in catalog, typed section by section. */
export interface PipelineConfig extends CoreConfig {
  data: DataConfig;
  clean: Omit<CleanParams, "target">;
  check?: CheckParams;
  featurize?: FeaturizeParams;
  split: Omit<SplitParams, "target" | "classification">;
  features: {include?: string[]; exclude: string[]};
  transform: ColumnTransformerSpec;
  model: ModelConfig;
  train: {seed: number; threads?: number};
  evaluate: EvaluateParams;
  selection?: SelectionConfig;
  register?: RegisterParams;
  tracking: TrackingConfig;
  store: StoreConfig;
  sweep?: SweepConfig;
  monitor: MonitorConfig;
  [section: string]: unknown;
}

export type Loaded = LoadedConfig<PipelineConfig>;

/**
 * Loads and validates a pipeline config with mlbook's steps and the workspace's own (see
 * engine/config.ts): overrides in Hydra's grammar, errors naming the file, line and key.
 */
export async function loadConfig(file: string, overrides: readonly string[] = []): Promise<Loaded> {
  return (await loadPipelineConfig(file, {catalog: builtinCatalog, overrides})) as Loaded;
}
