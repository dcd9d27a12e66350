import {z} from "zod";

/** Params of sklearn's HistGradientBoostingClassifier/Regressor, same names and defaults. */
export const histGradientBoostingParams = z
  .object({
    /** Shrinkage applied to every leaf value. Default 0.1. */
    learning_rate: z.number().positive().default(0.1),
    /** Boosting iterations (trees per output). Default 100. */
    max_iter: z.number().int().min(1).default(100),
    /** Leaves per tree; null for unbounded. Default 31. */
    max_leaf_nodes: z.number().int().min(2).nullable().default(31),
    /** Edges from root to deepest leaf; null for unbounded. Default null. */
    max_depth: z.number().int().min(1).nullable().default(null),
    /** Fewest training rows a leaf may hold. Default 20. */
    min_samples_leaf: z.number().int().min(1).default(20),
    /** L2 penalty on leaf values. Default 0. */
    l2_regularization: z.number().min(0).default(0),
    /** Bins for non-missing values, from quantiles; NaN gets one more. Default 255. */
    max_bins: z.number().int().min(2).max(255).default(255),
    /** "auto": on when there are more than 10,000 rows. Default "auto". */
    early_stopping: z.union([z.literal("auto"), z.boolean()]).default("auto"),
    /** Share of rows held out to score early stopping; null scores the training rows. Default 0.1. */
    validation_fraction: z.number().gt(0).lt(1).nullable().default(0.1),
    /** Iterations without an improvement of `tol` before stopping. Default 10. */
    n_iter_no_change: z.number().int().min(1).default(10),
    /** Smallest loss improvement that counts. Default 1e-7. */
    tol: z.number().min(0).default(1e-7),
    /** Seed for the validation split and the binning subsample (sklearn's random_state). Default 0. */
    seed: z.number().int().default(0)
  })
  .strict();

export type HistGradientBoostingParams = z.infer<typeof histGradientBoostingParams>;
