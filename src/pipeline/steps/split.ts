import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {Db} from "../engine/db.ts";
import {defineStep} from "../engine/step.ts";
import {dataOf} from "./ingest.ts";

/** The split keys without their cross-field rules (zod cannot `omit` from a refined schema). */
export const splitFields = z
  .object({
    /**
     * random: seeded, by a hash of each row's content (default); hash: by buckets of a key column,
     * so a row keeps its split as data grows; time: the latest rows are the test set.
     */
    method: z.enum(["random", "hash", "time"]).default("random"),
    /** Fraction of rows held out for the test set. */
    test_size: z.number().gt(0).lt(1).default(0.2),
    /** Fraction held out for a validation set (0: none). */
    validation_size: z.number().min(0).lt(1).default(0),
    /** Keep each class's share equal across sets (random method, classification only). */
    stratify: z.boolean().default(true),
    /** Seeds the random assignment; same seed and same rows give the same split on any machine. */
    seed: z.number().int().default(42),
    /** hash method: the key column, number of buckets, and a salt to draw a different split. */
    key: z.string().optional(),
    num_buckets: z.number().int().min(2).default(100),
    /** hash method: the buckets that form the test set (instead of the first test_size of them). */
    include_buckets: z.array(z.number().int().min(0)).min(1).optional(),
    salt: z.string().default(""),
    /** time method: the column that orders rows in time. */
    time_column: z.string().optional(),
    /** The target column, for stratification. */
    target: z.string(),
    /** Whether the task is classification (stratification applies only then). */
    classification: z.boolean().default(true)
  })
  .strict();

/** Cross-field rules of the split keys, applied to the step's schema and the config's section. */
export function refineSplit<
  T extends z.ZodType<{
    test_size: number;
    validation_size: number;
    method: string;
    key?: string;
    time_column?: string;
    num_buckets: number;
    include_buckets?: number[];
  }>
>(schema: T) {
  return schema
    .refine((p) => p.test_size + p.validation_size < 1, {message: "test_size + validation_size must be < 1"})
    .refine((p) => p.method !== "hash" || p.key, {message: "split.method hash needs split.key"})
    .refine((p) => p.method !== "time" || p.time_column, {
      message: "split.method time needs split.time_column"
    })
    .refine((p) => !p.include_buckets || p.method === "hash", {
      message: "split.include_buckets needs split.method hash"
    })
    .refine((p) => !p.include_buckets || p.include_buckets.every((b) => b < p.num_buckets), {
      message: "split.include_buckets: every bucket must be below num_buckets"
    })
    .refine((p) => !p.include_buckets || p.validation_size === 0, {
      message: "split.include_buckets picks the test set alone: set validation_size 0"
    });
}

export const splitParams = refineSplit(splitFields);
export type SplitParams = z.infer<typeof splitParams>;

/**
 * Splits rows into train, test and optionally validation sets. Assignment never depends on row
 * order: the random method ranks rows by a seeded hash of their content within each stratum, the
 * hash method buckets an md5 of the key column, the time method cuts at a quantile of time.
 */
export const split = defineStep({
  name: "split",
  module: import.meta.url,
  params: splitParams,
  sections: {split: refineSplit(splitFields.omit({target: true, classification: true})).prefault({})},
  inputs: {data: {kind: "table"}},
  outputs: {
    train: {kind: "table", artifact: "train_data", type: "dataset"},
    test: {kind: "table", artifact: "test_data", type: "dataset"},
    validation: {kind: "table", artifact: "split_validation", type: "dataset", optional: true}
  },
  configure(config) {
    const {target, task} = dataOf(config);
    const own = config.split as Omit<SplitParams, "target" | "classification">;
    return {
      params: {...own, target, classification: task === "classification"},
      identity: {split: own, data: {target, task}}
    };
  },
  async run(inputs, params, ctx) {
    const source = inputs.data;
    const [{n}] = await ctx.db.rows<{n: number}>(`SELECT count(*)::INTEGER AS n FROM ${source}`);
    if (n < 3)
      throw new DataError(
        `split: need at least 3 rows, the data has ${n} (clean keeps only rows with a value of the target, data.target: ${JSON.stringify(params.target)}${n === 0 ? ": is it missing in every row?" : ""})`
      );
    const sets =
      params.method === "time"
        ? await cutByTime(ctx.db, source, params)
        : await ranked(ctx.db, source, params);
    const counts = await ctx.db.rows<{set: string; n: number}>(
      `SELECT ${sets.set} AS set, count(*)::INTEGER AS n FROM ${sets.from} GROUP BY 1`
    );
    const count = (set: string) => counts.find((c) => c.set === set)?.n ?? 0;
    if (count("train") === 0 || count("test") === 0) {
      throw new DataError(
        `split: test_size ${params.test_size} leaves ${count("train")} train and ${count("test")} test rows of ${n}`
      );
    }
    const pick = (set: string) =>
      `SELECT ${sets.columns} FROM ${sets.from} WHERE ${sets.set} = '${set}'${sets.order}`;
    return {
      train: pick("train"),
      test: pick("test"),
      ...(params.validation_size > 0 ? {validation: pick("validation")} : {})
    };
  }
});

/** Where a split's rows come from: each row's set, the columns to keep, and the order to keep. */
interface Sets {
  from: string;
  set: string;
  columns: string;
  order: string;
}

/**
 * The random and hash methods: each row's position (`position`) assigned once into a temp table
 * (this step's own connection), since counting and writing each set would otherwise run the
 * window functions over all rows again for every query. Window functions reorder rows; __row
 * restores the input order so each set's rows (and so every float sum over them downstream) come
 * out the same on every run. The random method ranks rows by hashes taken over the data columns
 * only (t is the source row).
 */
async function ranked(db: Db, source: string, params: SplitParams): Promise<Sets> {
  const hashes =
    params.method === "random"
      ? `hash(${params.seed}, t) AS __h1, hash(${params.seed} + 1, t) AS __h2, `
      : "";
  const numbered = `(SELECT *, ${hashes}row_number() OVER () AS __row FROM ${source} AS t)`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __split AS SELECT * EXCLUDE (__u), CASE WHEN __u < ${params.test_size} THEN 'test' WHEN __u < ${
      params.test_size + params.validation_size
    } THEN 'validation' ELSE 'train' END AS __set FROM (${position(numbered, params)})`
  );
  const extra = params.method === "random" ? "__set, __row, __h1, __h2" : "__set, __row";
  return {from: "__split", set: "__set", columns: `* EXCLUDE (${extra})`, order: " ORDER BY __row"};
}

/**
 * The time method: the latest rows are the test set, those before them validation, the rest
 * train. A row's set follows from its time alone, so two cut times (the first times at which
 * 1 - percent_rank drops below test_size, and below test_size + validation_size) are found over
 * the time column only, and each set is read straight from the source, in input order: no window
 * over every column, no re-sort. Rows of one time share a rank, so they go to one set; null
 * times rank last, with the latest.
 */
async function cutByTime(db: Db, source: string, params: SplitParams): Promise<Sets> {
  const time = quoteIdent(params.time_column!);
  const u = `1 - percent_rank() OVER (ORDER BY ${time}) - 1e-12`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE __cuts AS SELECT ` +
      `min(${time}) FILTER (WHERE __u < ${params.test_size}) AS test, ` +
      `min(${time}) FILTER (WHERE __u < ${params.test_size + params.validation_size}) AS validation ` +
      `FROM (SELECT ${time}, ${u} AS __u FROM ${source})`
  );
  const set =
    `CASE WHEN ${time} IS NULL OR ${time} >= (SELECT test FROM __cuts) THEN 'test' ` +
    `WHEN ${time} >= (SELECT validation FROM __cuts) THEN 'validation' ELSE 'train' END`;
  return {from: source, set, columns: "*", order: ""};
}

/** Each row with `__u` in [0, 1): its position in the split order (test first, then validation). */
function position(source: string, p: SplitParams): string {
  if (p.method === "hash") {
    const key = quoteIdent(p.key!);
    // md5 is the same in every DuckDB version and on every machine, unlike hash().
    const bucket = `md5_number(${quoteString(p.salt)} || coalesce(${key}::VARCHAR, '')) % ${p.num_buckets}`;
    // Named buckets are the test set (u 0), the rest train (u 1); else the first test_size of them.
    const u = p.include_buckets
      ? `CASE WHEN ${bucket} IN (${p.include_buckets.join(", ")}) THEN 0.0 ELSE 1.0 END`
      : `(${bucket})::DOUBLE / ${p.num_buckets}`;
    return `SELECT *, ${u} AS __u FROM ${source}`;
  }
  const partition = p.stratify && p.classification ? `PARTITION BY ${quoteIdent(p.target)}` : "";
  // Rank rows within each stratum by a seeded hash of their content; (rank - 0.5) / size puts
  // round(size * fraction) rows of each stratum below each cut.
  return (
    `SELECT * EXCLUDE (__rank, __size), (__rank - 0.5) / __size AS __u FROM (SELECT *, ` +
    `row_number() OVER (${partition} ORDER BY __h1, __h2) AS __rank, ` +
    `count(*) OVER (${partition}) AS __size FROM ${source})`
  );
}
