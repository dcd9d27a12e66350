import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../sql.ts";
import {defineStep, tableInput} from "../step.ts";

const columnRule = z
  .object({
    /** What to do with a missing value: keep it (the model's imputer decides), drop the row, or fill. */
    missing: z.enum(["keep", "drop", "fill"]).default("keep"),
    /** The constant for `missing: fill`. Statistics (mean, median) belong to the fitted transform, not here. */
    value: z.union([z.number(), z.string(), z.boolean()]).optional(),
    /** Drop the whole column. */
    drop: z.boolean().default(false)
  })
  .strict()
  .refine((r) => r.missing !== "fill" || r.value !== undefined, {message: "missing: fill needs a value"});

export const cleanParams = z
  .object({
    /** The target column: rows where it is missing are always dropped. */
    target: z.string(),
    /** Strings that mean "missing" in text columns (e.g. "." or "NA"). */
    na_values: z.array(z.string()).default([]),
    /** Per-column rules. */
    columns: z.record(z.string(), columnRule).default({}),
    /** Drop exact duplicate rows. */
    drop_duplicates: z.boolean().default(false),
    /** Keep only rows matching this SQL expression. */
    filter: z.string().optional()
  })
  .strict();
export type CleanParams = z.infer<typeof cleanParams>;

/** Drops rows with a missing target, applies per-column drop / fill rules and optional filters. */
export const clean = defineStep({
  name: "clean",
  inputs: ["ingest"],
  params: cleanParams,
  module: import.meta.url,
  async run(inputs, params, ctx) {
    const source = tableInput(inputs, "ingest", "data");
    const schema = await ctx.db.rows<{column_name: string; column_type: string}>(`DESCRIBE SELECT * FROM ${source}`);
    const types = new Map(schema.map((c) => [c.column_name, c.column_type]));
    if (!types.has(params.target)) {
      throw new DataError(
        `data.target: column ${JSON.stringify(params.target)} is not in the data (columns: ${[...types.keys()].join(", ")})`
      );
    }
    for (const column of Object.keys(params.columns)) {
      if (!types.has(column)) throw new DataError(`clean.columns.${column}: no such column in the data`);
    }
    const isText = (c: string) => /VARCHAR|TEXT|STRING/i.test(types.get(c) ?? "");
    const na = params.na_values.map(quoteString).join(", ");
    const value = (c: string) => {
      const q = quoteIdent(c);
      const raw = na && isText(c) ? `CASE WHEN ${q} IN (${na}) THEN NULL ELSE ${q} END` : q;
      const rule = params.columns[c];
      return rule?.missing === "fill" ? `coalesce(${raw}, ${literal(rule.value!)})` : raw;
    };
    const kept = [...types.keys()].filter((c) => !params.columns[c]?.drop);
    const select = kept.map((c) => `${value(c)} AS ${quoteIdent(c)}`).join(", ");
    const required = [params.target, ...Object.entries(params.columns).filter(([, r]) => r.missing === "drop").map(([c]) => c)];
    const where = required.map((c) => `${quoteIdent(c)} IS NOT NULL`);
    if (params.filter) where.push(`(${params.filter})`);
    const body = `SELECT ${select} FROM ${source}`;
    const sql = `SELECT ${params.drop_duplicates ? "DISTINCT " : ""}* FROM (${body}) WHERE ${where.join(" AND ")}`;
    try {
      await ctx.db.rows(`SELECT count(*) FROM (${sql})`);
    } catch (error) {
      throw new DataError(`clean: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
    }
    return {tables: {data: sql}};
  }
});

function literal(value: number | string | boolean): string {
  return typeof value === "string" ? quoteString(value) : String(value);
}
