import {resolve} from "node:path";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import type {Tracking} from "../pipeline/tracking/trackingTx.ts";
import {DEFAULT_CONFIG, listPipelines} from "../site/pipelines.ts";

/**
 * The tracking databases a listing reads. Named with `-c FILE`: that config's. By default, every
 * pipeline's of the workspace (mlbook.yaml and pipelines/*.yaml, whose stores may differ), so
 * `mlbook runs` from the root sees them all.
 */
export function workspaceTrackings(config: string): Tracking[] {
  const files = config === DEFAULT_CONFIG ? Object.values(listPipelines(process.cwd())) : [];
  if (!files.length) return [projectTracking(config)];
  const byPath = new Map<string, Tracking>();
  for (const file of files) {
    const tracking = projectTracking(file);
    byPath.set(resolve(tracking.path), tracking);
  }
  return [...byPath.values()];
}
