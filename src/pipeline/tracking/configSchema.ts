import {z} from "zod";

/** `tracking:` — where runs, artifacts and the registry are recorded. */
export const trackingConfig = z
  .object({
    /** The DuckDB file, relative to the config's folder (default .mlbook/tracking.duckdb). */
    path: z.string().min(1).optional()
  })
  .strict();

const artifactName = z.string().regex(/^[A-Za-z][\w.-]*$/, "expected letters, digits, _ . - (no : or @)");

/**
 * `artifacts:` — names step outputs, keyed `step.output` (`clean.data`): a name, or a name with a
 * type and description. Unnamed outputs keep their default names (raw_data, clean_data …).
 */
export const artifactsConfig = z
  .record(
    z.string().regex(/^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$/, "expected step.output, like clean.data"),
    z.union([
      artifactName,
      z
        .object({
          name: artifactName,
          type: z.string().min(1).optional(),
          description: z.string().optional()
        })
        .strict()
    ])
  )
  .default({});

export type ArtifactsConfig = z.infer<typeof artifactsConfig>;

/**
 * `from:` — pins steps to recorded artifact versions (`clean_data:v3`, `clean_data@gold`): the step
 * producing the artifact is not run, its key is the version's, and what is upstream of it is skipped.
 */
export const fromConfig = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z][\w.-]*([:@][A-Za-z0-9][\w.-]*)?$/, "expected NAME:vN, NAME:ALIAS or NAME@ALIAS")
  )
  .default([]);
