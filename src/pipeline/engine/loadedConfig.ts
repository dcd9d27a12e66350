import {dirname, join} from "node:path";
import type {Catalog} from "./catalog.ts";
import type {CoreConfig} from "./coreConfig.ts";
import type {WorkspaceModule} from "./step.ts";

/** A validated config with everything a run needs to build its graph. */
export interface LoadedConfig<C extends CoreConfig = CoreConfig & Record<string, unknown>> {
  config: C;
  /** Absolute path of the config file; relative paths in it resolve against its folder. */
  path: string;
  /** The config after groups, overrides and `${…}` references, before defaults: what a user wrote. */
  raw: Record<string, unknown>;
  /** The files it was composed from: the config file, then its group files (composeConfig.ts). */
  files?: readonly string[];
  /** Group files and folders looked for and absent: one made there would change the config. */
  probed?: readonly string[];
  /** The steps it may use: the catalog's, and the workspace's own under `steps:`. */
  catalog: Catalog;
  /** Workspace modules the config names (steps' and models'), by absolute path. */
  modules: ReadonlyMap<string, WorkspaceModule>;
  /** `file:line:column` (or the override) that gave a config key, for errors found after loading. */
  locate?: (path: (string | number)[]) => string;
}

/** Where a project keeps its store and state: `.mlbook/` beside the config, or under `root`. */
export function storeRoot(loaded: Pick<LoadedConfig, "path">, root?: string): string {
  return join(root ?? dirname(loaded.path), ".mlbook");
}
