import type {LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {trackedDigest, type TrackingKind} from "../pipeline/tracking/trackedDigest.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/**
 * A digest of what a loader shows from tracking: the runs recorded for the pipeline, the registry
 * or the batches monitored against its models (see trackedDigest).
 * Opening the database writes journaled runs into it first, as every tracking reader does.
 */
export async function trackingDigest(loaded: LoadedConfig, kinds: readonly TrackingKind[]): Promise<string> {
  return withProject(projectTracking(loaded.path), async (tx) => {
    const digests: string[] = [];
    for (const kind of kinds) digests.push(await trackedDigest(tx, kind, loaded.config.name));
    // One kind's digest is that kind's own: a page showing one keeps the digest it always had.
    return digests.length === 1 ? digests[0] : hashValue(digests);
  });
}
