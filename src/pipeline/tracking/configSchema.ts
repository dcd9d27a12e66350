import {z} from "zod";
import type {ConfigAddOn} from "../engine/catalog.ts";

/** `tracking:` — where runs, artifacts and the registry are recorded. */
export const trackingConfig = z
  .object({
    /** The DuckDB file, relative to the config's folder (default .mlbook/tracking.duckdb). */
    path: z.string().min(1).optional()
  })
  .strict();
export type TrackingConfig = z.infer<typeof trackingConfig>;

/** Tracking's config section. */
export const trackingAddOn: ConfigAddOn = {
  name: "tracking",
  sections: {tracking: trackingConfig.prefault({})}
};
