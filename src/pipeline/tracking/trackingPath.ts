import {dirname, join, resolve} from "node:path";
import type {LoadedConfig} from "../engine/config.ts";
import type {Tracking} from "./withProject.ts";

/** The tracking database: `tracking.path` from the config's folder, else `<store root>/tracking.duckdb`. */
export function trackingPath(loaded: LoadedConfig, root: string): string {
  const given = loaded.config.tracking.path;
  return given ? resolve(dirname(loaded.path), given) : join(root, "tracking.duckdb");
}

/** A config's tracking: its store root (journal and store) and its database file. */
export function trackingOf(loaded: LoadedConfig, root: string): Tracking {
  return {root, path: trackingPath(loaded, root)};
}
