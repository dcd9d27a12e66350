import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent} from "../sql.ts";
import {defineStep, tableInput} from "../step.ts";

export const splitParams = z
  .object({
    /** Fraction of rows held out for the test set. */
    test_size: z.number().gt(0).lt(1).default(0.2),
    /** Keep each class's share equal in train and test (classification only). */
    stratify: z.boolean().default(true),
    /** Seeds the assignment; same seed and same rows give the same split on any machine. */
    seed: z.number().int().default(42),
    /** The target column, for stratification. */
    target: z.string()
  })
  .strict();
export type SplitParams = z.infer<typeof splitParams>;

/**
 * Splits rows into train and test. Each row's place is decided by a seeded hash of its content
 * rather than its position, so the split does not depend on row order and is the same on every
 * machine; within each stratum the lowest hashes go to test.
 */
export const split = defineStep({
  name: "split",
  inputs: ["clean"],
  params: splitParams,
  module: import.meta.url,
  async run(inputs, params, ctx) {
    const source = tableInput(inputs, "clean", "data");
    const target = quoteIdent(params.target);
    const [{n}] = await ctx.db.rows<{n: number}>(`SELECT count(*)::INTEGER AS n FROM ${source}`);
    if (n < 2) throw new DataError(`split: need at least 2 rows, the data has ${n}`);
    const partition = params.stratify ? `PARTITION BY ${target}` : "";
    // Per stratum: round(n_c * test_size) rows to test, as StratifiedShuffleSplit would roughly give.
    const quota = params.stratify
      ? `round(count(*) OVER (${partition}) * ${params.test_size})`
      : `ceil(count(*) OVER () * ${params.test_size})`;
    const ranked =
      `SELECT *, row_number() OVER (${partition} ORDER BY hash(${params.seed}, t), hash(${params.seed} + 1, t)) AS __rank, ` +
      `${quota} AS __quota FROM ${source} AS t`;
    const pick = (test: boolean) => `SELECT * EXCLUDE (__rank, __quota) FROM (${ranked}) WHERE __rank ${test ? "<=" : ">"} __quota`;
    const [{train, test}] = await ctx.db.rows<{train: number; test: number}>(
      `SELECT count(*) FILTER (WHERE __rank > __quota)::INTEGER AS train, count(*) FILTER (WHERE __rank <= __quota)::INTEGER AS test FROM (${ranked})`
    );
    if (train === 0 || test === 0) {
      throw new DataError(`split: test_size ${params.test_size} leaves ${train} train and ${test} test rows of ${n}`);
    }
    return {tables: {train: pick(false), test: pick(true)}};
  }
});
