import {z} from "zod";

/** A step's name: it names a store folder and SQL views, so letters, digits and _ only. */
export const stepNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `steps:` — the workspace's own steps, by name: where the module is, where it goes in the
 * pipeline and its params (validated by the module's schema when the config loads).
 */
export const workspaceStepConfig = z
  .object({
    /** The module, relative to the config, whose default export is `defineStep({...})`. */
    module: z.string().min(1),
    /**
     * The step it follows. Its `data` input (and that of the steps after it) reads the nearest
     * earlier step with a `data` table: `after: clean` puts it between clean and the next step.
     * Default: after the last step it reads.
     */
    after: z.string().optional(),
    /** Input role → `step.output` (or `step`), for roles other than `data`. Default: none. */
    inputs: z.record(z.string(), z.string()).default({}),
    /** Its params, validated by the module's schema. Default: its schema's defaults. */
    params: z.record(z.string(), z.unknown()).default({}),
    /** Replace the built-in step of this name (refused without it). Default false. */
    override: z.boolean().default(false)
  })
  .strict();
export type WorkspaceStepConfig = z.infer<typeof workspaceStepConfig>;

const artifactName = z.string().regex(/^[A-Za-z][\w.-]*$/, "expected letters, digits, _ . - (no : or @)");

/**
 * `artifacts:` — names step outputs, keyed `step.output` (`clean.data`): a name, or a name with a
 * type and description. Unnamed outputs keep the names their steps give them (raw_data, clean_data …).
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
 * A run hook (tracking) resolves them when the run starts.
 */
export const fromConfig = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z][\w.-]*([:@][A-Za-z0-9][\w.-]*)?$/, "expected NAME:vN, NAME:ALIAS or NAME@ALIAS")
  )
  .default([]);

/** The keys every pipeline config has, whatever its steps: the engine's own. */
export const coreSections = {
  /** Names the pipeline in runs, the registry and the report. */
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, "expected letters, digits, _ . -"),
  description: z.string().optional(),
  steps: z.record(z.string(), workspaceStepConfig).default({}),
  /** Per step: retry transient failures (network, a busy database) `attempts` times with backoff. */
  retries: z
    .record(
      z.string(),
      z.object({attempts: z.number().int().min(1).max(20), backoff: z.number().min(0).default(1)}).strict()
    )
    .default({}),
  /** Names and types of step outputs (`clean.data: clean_penguins`). */
  artifacts: artifactsConfig,
  /** Pins steps to recorded artifact versions: `[clean_data:v3]` (default none). */
  from: fromConfig
};

/** The engine's own keys, typed. */
export interface CoreConfig {
  name: string;
  description?: string;
  steps: Record<string, WorkspaceStepConfig>;
  retries: Record<string, {attempts: number; backoff: number}>;
  artifacts: ArtifactsConfig;
  from: string[];
}
