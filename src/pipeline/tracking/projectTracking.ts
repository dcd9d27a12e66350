import {loadConfig} from "../config.ts";
import {storeRoot} from "../run.ts";
import {trackingOf} from "./trackingPath.ts";
import type {Tracking} from "./withProject.ts";

/** The tracking of the project a config file belongs to. */
export function projectTracking(configFile: string): Tracking {
  const loaded = loadConfig(configFile);
  return trackingOf(loaded, storeRoot(loaded));
}
