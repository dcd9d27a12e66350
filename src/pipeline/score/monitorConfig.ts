import {z} from "zod";
import type {ConfigAddOn} from "../engine/catalog.ts";

/**
 * `monitor:` — when `mlbook monitor` calls a batch drifted (exit 3, the retrain signal). A column
 * is flagged when any of its figures crosses its threshold; so are the predictions, and a metric
 * on a labelled batch that is worse than the model's test metric by more than its allowance.
 */
export const monitorConfig = z
  .object({
    /** Population stability index at or above which a column has drifted (0.1 small, 0.25 large). */
    psi: z.number().positive().default(0.2),
    /**
     * Also flag a column whose KS (numeric) or chi-square (categorical) p-value is below this.
     * Unset by default: on a large batch every small difference is significant.
     */
    p_value: z.number().gt(0).lt(1).optional(),
    /** A change in a column's share of missing values (absolute, 0.1 = ten points) at or above this. */
    missing: z.number().min(0).max(1).default(0.1),
    /** A categorical column whose share of values training never saw is at or above this. */
    unseen: z.number().min(0).max(1).default(0.05),
    /** Only these input columns (default: every column the model reads). */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /**
     * Per metric, how much worse than the model's test metric a labelled batch may be:
     * `{f1_macro: 0.05}` flags a batch whose F1 is more than 0.05 below the test F1.
     */
    metrics: z.record(z.string(), z.number().min(0)).default({})
  })
  .strict();
export type MonitorConfig = z.infer<typeof monitorConfig>;

export const monitorAddOn: ConfigAddOn = {
  name: "monitor",
  sections: {monitor: monitorConfig.prefault({})}
};
