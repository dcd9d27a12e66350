import {dirname, join, resolve} from "node:path";
import type {LoadedConfig} from "../config.ts";

/** The tracking database: `tracking.path` from the config's folder, else `<store root>/tracking.duckdb`. */
export function trackingPath(loaded: LoadedConfig, root: string): string {
  const given = loaded.config.tracking.path;
  return given ? resolve(dirname(loaded.path), given) : join(root, "tracking.duckdb");
}
