import {dirname, join, resolve} from "node:path";
import type {LoadedConfig} from "../engine/loadedConfig.ts";
import type {TrackingConfig} from "./configSchema.ts";
import type {Tracking} from "./trackingTx.ts";

/** The tracking database: `tracking.path` from the config's folder, else `<store root>/tracking.duckdb`. */
export function trackingPath(loaded: Pick<LoadedConfig, "config" | "path">, root: string): string {
  const given = (loaded.config.tracking as TrackingConfig | undefined)?.path;
  return given ? resolve(dirname(loaded.path), given) : join(root, "tracking.duckdb");
}

/** A config's tracking: its store root (journal and store) and its database file. */
export function trackingOf(loaded: Pick<LoadedConfig, "config" | "path">, root: string): Tracking {
  return {root, path: trackingPath(loaded, root)};
}
