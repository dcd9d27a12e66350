import {z} from "zod";

/**
 * A sweep declared in the config: a grid (each dotted key with its values, or a sweep written in
 * override syntax such as "range(1,5)"; jobs are the Cartesian product) and/or an explicit list
 * of jobs (each a map of dotted keys to values). Both together give every job × every grid point.
 */
export const sweepSchema = z
  .object({
    /** `{model.params.C: [0.1, 1, 10]}` or `{model.params.C: "range(1,5)"}`; default: no grid. */
    grid: z.record(z.string(), z.union([z.array(z.unknown()).min(1), z.string().min(1)])).optional(),
    /** `[{model.params.C: 0.1, model.params.max_iter: 50}, …]`; default: no list. */
    jobs: z
      .array(
        z
          .record(z.string(), z.unknown())
          .refine((job) => Object.keys(job).length > 0, "expected a non-empty job")
      )
      .min(1)
      .optional()
  })
  .strict();

export type SweepConfig = z.infer<typeof sweepSchema>;
