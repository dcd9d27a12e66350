import type {ConfigAddOn} from "../engine/catalog.ts";
import {sweepSchema} from "./sweepSchema.ts";

/** Sweeps' config section: the jobs `mlbook run` runs as a sweep (see src/pipeline/sweep/). */
export const sweepAddOn: ConfigAddOn = {
  name: "sweeps",
  sections: {sweep: sweepSchema.optional()}
};
