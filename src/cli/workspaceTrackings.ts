import {resolve} from "node:path";
import {ConfigError} from "../pipeline/errors.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import type {Tracking, TrackingTx} from "../pipeline/tracking/trackingTx.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
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
    let tracking: Tracking;
    try {
      tracking = projectTracking(file);
    } catch (error) {
      // Another pipeline's broken config does not hide the rest; the default config's does.
      if (!(error instanceof ConfigError) || file === resolve(DEFAULT_CONFIG)) throw error;
      process.stderr.write(`warning: ${error.message}: its runs are left out\n`);
      continue;
    }
    byPath.set(resolve(tracking.path), tracking);
  }
  return [...byPath.values()];
}

/**
 * `fn` on the first of the workspace's tracking databases where it finds what it looks for (an
 * artifact by name: `flights/model` is in the database of pipelines/, `penguins/model` in the
 * root's). When none has it, the config's own database's error stands.
 */
export async function inWorkspace<T>(config: string, fn: (tx: TrackingTx) => Promise<T>): Promise<T> {
  let first: unknown;
  for (const tracking of workspaceTrackings(config)) {
    try {
      return await withProject(tracking, fn);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      first ??= error;
    }
  }
  throw first;
}
