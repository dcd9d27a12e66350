import type {RunHooks} from "../engine/hooks.ts";
import {bindTracking} from "./bindTracking.ts";
import {resolveArtifact} from "./resolve.ts";
import {trackRun, type TrackOptions} from "./trackRun.ts";
import {trackingOf} from "./trackingPath.ts";
import {withProject} from "./withProject.ts";

export interface TrackingHookOptions extends TrackOptions {
  /** Record a run in which every step was fresh (default true; a build's check run passes false). */
  recordFresh?: boolean;
}

/**
 * Tracking as run hooks: the run's store must belong to the config's tracking database (checked
 * before anything runs), artifact references (`from:` pins, a drift reference) resolve through the
 * database, and the finished or failed run is recorded — journaled first, then written.
 */
export function trackingHooks(options: TrackingHookOptions = {}): RunHooks {
  return {
    beforeRun({loaded, root}) {
      // A store tracked by another database fails here, before anything runs.
      bindTracking(trackingOf(loaded, root), loaded.path);
    },
    async resolveArtifact(ref, {loaded, root}) {
      const row = await withProject(trackingOf(loaded, root), (tx) =>
        resolveArtifact(tx, ref, loaded.config.name)
      );
      return {
        ref,
        name: row.name,
        version: row.version,
        type: row.type,
        step: row.step,
        output: row.output,
        key: row.key
      };
    },
    async afterRun(outcome) {
      const allFresh = outcome.steps.every((s) => s.status === "fresh");
      if (options.recordFresh === false && allFresh && !outcome.error) return;
      await trackRun(outcome, options);
    }
  };
}
