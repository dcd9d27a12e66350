import {z} from "zod";
import {columnKinds} from "./columnKind.ts";
import {formats} from "../ingest.ts";

const severity = z.enum(["error", "warn"]);

export const columnRules = z
  .object({
    /** Type family: numeric | string | boolean | date (DuckDB integer, float and decimal types are numeric; DATE and TIMESTAMP are date). Default: any. */
    type: z.enum(columnKinds).optional(),
    /** No missing values. Default false. */
    not_null: z.boolean().default(false),
    /** At most this share (0–1) of missing values. Default: no limit. */
    max_null_fraction: z.number().min(0).max(1).optional(),
    /** Smallest value: a number, or a date / text compared in the column's type. Default: none. */
    min: z.union([z.number(), z.string()]).optional(),
    /** Largest value, as min. Default: none. */
    max: z.union([z.number(), z.string()]).optional(),
    /** The only values allowed; missing values are not judged here (see not_null). Default: any. */
    allowed: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    /** No value twice (missing values aside). Default false. */
    unique: z.boolean().default(false),
    /** A regular expression (RE2) each value, as text, must contain: anchor with ^…$ for a full match. Default: none. */
    regex: z.string().optional(),
    /** Overrides the check-wide severity for this column's expectations. */
    severity: severity.optional()
  })
  .strict()
  .refine((r) => typeof r.min !== "number" || typeof r.max !== "number" || r.min <= r.max, {
    message: "min must not exceed max"
  });
export type ColumnRules = z.infer<typeof columnRules>;

export const tableRules = z
  .object({
    /** Fewest rows. Default 1: no later step can use an empty table; 0 turns the expectation off. */
    min_rows: z.number().int().nonnegative().default(1),
    /** Most rows. Default null: no limit. */
    max_rows: z.number().int().nonnegative().nullable().default(null),
    /** No two rows equal in every column. Default false. */
    no_duplicate_rows: z.boolean().default(false),
    /** Overrides the check-wide severity for the table expectations. */
    severity: severity.optional()
  })
  .strict();
export type TableRules = z.infer<typeof tableRules>;

export const driftRules = z
  .object({
    /** The reference data file as the config names it (relative to the config); the graph resolves it into reference_path. */
    reference: z.string().optional(),
    /**
     * An earlier artifact as the reference instead of a file: NAME:vN, NAME:latest or NAME@ALIAS,
     * as `mlbook artifacts` lists them (a dataset: clean_data:v3). Resolved when the run starts.
     */
    artifact: z.string().optional(),
    /** Absolute path of the reference file; set by the graph. A bare absolute `reference` also works. */
    reference_path: z.string().optional(),
    /** Reference file format. Default: from the extension. */
    format: z.enum(formats).optional(),
    /** Columns to compare. Default: every column the data and the reference share. */
    columns: z.array(z.string()).min(1).optional(),
    /** A column has drifted when the test's p-value is below this. Default 0.05. */
    p_value: z.number().gt(0).lt(1).default(0.05),
    /** Drift is reported by default, not fatal. Default "warn". */
    severity: severity.default("warn"),
    /** Equal-width bins of the numeric drift histograms. Default 20. */
    bins: z.number().int().min(1).max(1000).default(20),
    /** Categories per chi-square table; past it the rarest are pooled as "(other)". Default 50. */
    max_categories: z.number().int().min(2).default(50)
  })
  .strict()
  .refine((d) => d.reference !== undefined || d.reference_path !== undefined || d.artifact !== undefined, {
    message: "drift needs a reference: a file (drift.reference) or an earlier artifact (drift.artifact)"
  })
  .refine((d) => d.reference === undefined || d.artifact === undefined, {
    message: "give drift.reference (a file) or drift.artifact (an earlier artifact), not both"
  });
export type DriftRules = z.infer<typeof driftRules>;

export const checkParams = z
  .object({
    /** Severity of every expectation unless a column or the table overrides it: error stops the run (exit 3), warn reports. Default "error". */
    severity: severity.default("error"),
    /** Table-wide expectations. Default: at least one row. */
    table: tableRules.prefault({}),
    /** Per-column expectations, by column name. Default: none. */
    columns: z.record(z.string(), columnRules).default({}),
    /** Drift against a reference file or an earlier artifact. Default: no drift test. */
    drift: driftRules.optional()
  })
  .strict();
export type CheckParams = z.infer<typeof checkParams>;
