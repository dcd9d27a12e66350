import {loadConfig} from "../engine/config.ts";
import {storeRoot} from "../engine/run.ts";
import {trackingOf} from "./trackingPath.ts";
import type {Tracking} from "./withProject.ts";

/** The tracking of the project a config file belongs to. */
export function projectTracking(configFile: string): Tracking {
  const loaded = loadConfig(configFile);
  return trackingOf(loaded, storeRoot(loaded));
}
