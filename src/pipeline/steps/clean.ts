import {z} from "zod";
import {checkExpression, sqlTypeName} from "../engine/sqlShape.ts";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import {defineStep} from "../engine/step.ts";
import {withStage, type InferencePipeline, type SelectStage} from "../ml/inference.ts";
import {dataOf} from "./ingest.ts";
import {describe} from "../engine/table.ts";

const clipRule = z
  .object({
    /** quantile: clip to the lower/upper quantiles; iqr: to [q1 - k·IQR, q3 + k·IQR]; bounds: to min/max. */
    method: z.enum(["quantile", "iqr", "bounds"]).default("quantile"),
    lower: z.number().min(0).max(1).default(0.01),
    upper: z.number().min(0).max(1).default(0.99),
    k: z.number().positive().default(1.5),
    min: z.number().optional(),
    max: z.number().optional()
  })
  .strict();

const columnRule = z
  .object({
    /** What to do with a missing value: keep it (the model's imputer decides), drop the row, or fill. */
    missing: z.enum(["keep", "drop", "fill"]).default("keep"),
    /** The constant for `missing: fill`. Statistics (mean, median) belong to the fitted transform, not here. */
    value: z.union([z.number(), z.string(), z.boolean()]).optional(),
    /** Drop the whole column. */
    drop: z.boolean().default(false),
    /** Cast to a DuckDB type; a value that does not convert is an error naming the column. */
    cast: sqlTypeName.optional(),
    /** Clip outliers of a numeric column. */
    clip: clipRule.optional()
  })
  .strict()
  .refine((r) => r.missing !== "fill" || r.value !== undefined, {message: "missing: fill needs a value"});

export const cleanParams = z
  .object({
    /** The target column (after renames and derivations): rows where it is missing are always dropped. */
    target: z.string(),
    /** Rename columns first: {old: new}. Every other rule uses the new names. */
    rename: z.record(z.string(), z.string()).default({}),
    /** Strings that mean "missing" in text columns (e.g. "." or "NA"). */
    na_values: z.array(z.string()).default([]),
    /** Trim white space and normalise case in every text column. */
    strings: z
      .object({trim: z.boolean().default(false), case: z.enum(["keep", "lower", "upper"]).default("keep")})
      .strict()
      .prefault({}),
    /** Per-column rules. */
    columns: z.record(z.string(), columnRule).default({}),
    /** New columns from SQL expressions over the cleaned columns: {name: expression}. */
    derive: z.record(z.string(), z.string()).default({}),
    /** Keep only rows matching this SQL expression. */
    filter: z.string().optional(),
    /** Drop exact duplicate rows. */
    drop_duplicates: z.boolean().default(false)
  })
  .strict();
export type CleanParams = z.infer<typeof cleanParams>;

/**
 * Renames, normalises, casts, fills, derives, filters and clips — each stage a SELECT over the
 * previous one, run by DuckDB. Rows with a missing target are always dropped.
 */
export const clean = defineStep({
  name: "clean",
  module: import.meta.url,
  params: cleanParams,
  sections: {clean: cleanParams.omit({target: true}).prefault({})},
  inputs: {data: {kind: "table"}, replay: {kind: "json", optional: true}},
  outputs: {
    data: {kind: "table", artifact: "clean_data", type: "dataset"},
    replay: {kind: "json", artifact: "clean_inference", type: "inference", optional: true}
  },
  // Its row-wise rules (renames, casts, derived columns) are replayed when a model scores new rows.
  replay: true,
  configure(config) {
    const {target} = dataOf(config);
    const own = config.clean as z.infer<typeof cleanParams>;
    return {params: {...own, target}, identity: {clean: own, data: {target}}};
  },
  async run(inputs, params, ctx) {
    const source = inputs.data;
    const original = await describe(ctx.db, source);
    const names = new Set(original.map((c) => c.name));
    for (const old of Object.keys(params.rename)) {
      if (!names.has(old))
        throw new DataError(
          `clean.rename: no column ${JSON.stringify(old)} (columns: ${[...names].join(", ")})`
        );
    }
    const renamed = original.map((c) => ({...c, name: params.rename[c.name] ?? c.name, from: c.name}));
    const types = new Map(renamed.map((c) => [c.name, c]));
    for (const column of Object.keys(params.columns)) {
      if (!types.has(column))
        throw new DataError(
          `clean.columns.${column}: no such column (columns: ${[...types.keys()].join(", ")})`
        );
    }
    const na = params.na_values.map(quoteString).join(", ");
    const text = (c: {type: string}) => /^VARCHAR/.test(c.type);
    // Stage 1: rename, missing markers, string normalisation.
    // Each stage is also kept as data (its columns' expressions): scoring replays it on new rows.
    const stages: SelectStage[] = [];
    const select = (columns: {name: string; expr: string}[], flags: SelectStage["flags"] = []) => {
      stages.push({kind: "select", step: "clean", columns, flags});
      return columns.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`).join(", ");
    };
    const stage1 = renamed.map((c) => {
      let e = quoteIdent(c.from);
      if (text(c)) {
        if (params.strings.trim) e = `trim(${e})`;
        if (params.strings.case !== "keep") e = `${params.strings.case}(${e})`;
        if (na) e = `CASE WHEN ${e} IN (${na}) THEN NULL ELSE ${e} END`;
      }
      return {name: c.name, expr: e};
    });
    let sql = `SELECT ${select(stage1)} FROM ${source}`;
    // Stage 2: casts (checked), fills, dropped columns.
    for (const [column, rule] of Object.entries(params.columns)) {
      if (!rule.cast) continue;
      const q = quoteIdent(column);
      const bad = await ctx.db
        .rows<{v: string}>(
          `SELECT ${q}::VARCHAR AS v FROM (${sql}) WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS ${rule.cast}) IS NULL LIMIT 1`
        )
        .catch((error: unknown) => {
          throw new DataError(`clean.columns.${column}.cast: ${firstLine(error)}`);
        });
      if (bad.length)
        throw new DataError(
          `clean.columns.${column}.cast: value ${JSON.stringify(bad[0].v)} does not convert to ${rule.cast}`
        );
    }
    const kept = renamed.filter((c) => !params.columns[c.name]?.drop);
    const stage2 = kept.map((c) => {
      const rule = params.columns[c.name];
      let e = quoteIdent(c.name);
      // Training checked every value converts (above), so TRY_CAST is CAST here.
      if (rule?.cast) e = `TRY_CAST(${e} AS ${rule.cast})`;
      if (rule?.missing === "fill") e = `coalesce(${e}, ${literal(rule.value!)})`;
      return {name: c.name, expr: e};
    });
    // A value that does not convert fails training; scoring flags its row (and reads it as missing).
    const castFlags = Object.entries(params.columns)
      .filter(([, rule]) => rule.cast)
      .map(([column, rule]) => ({
        expr: `${quoteIdent(column)} IS NULL OR TRY_CAST(${quoteIdent(column)} AS ${rule.cast}) IS NOT NULL`,
        message: `clean.columns.${column}.cast: the value does not convert to ${rule.cast}`
      }));
    sql = `SELECT ${select(stage2, castFlags)} FROM (${sql})`;
    // Stage 3: derived columns.
    for (const [name, expression] of Object.entries(params.derive))
      await checkExpression(ctx.db, `clean.derive.${name}`, expression);
    const derived = Object.entries(params.derive).map(([name, expression]) => ({
      name,
      expr: `(${expression})`
    }));
    if (derived.length)
      sql = `SELECT ${select([...kept.map((c) => ({name: c.name, expr: quoteIdent(c.name)})), ...derived])} FROM (${sql})`;
    const final = await describe(ctx.db, `(${sql})`).catch((error: unknown) => {
      throw new DataError(`clean.derive: ${firstLine(error)}`);
    });
    if (!final.some((c) => c.name === params.target)) {
      throw new DataError(
        `data.target: column ${JSON.stringify(params.target)} is not in the data (columns: ${final.map((c) => c.name).join(", ")})`
      );
    }
    // Stage 4: row filters. Scoring drops no row: a missing target is what it predicts, and the
    // rows training drops for a rule are flagged instead.
    const dropped = Object.entries(params.columns)
      .filter(([, r]) => r.missing === "drop")
      .map(([c]) => c);
    const where = [params.target, ...dropped].map((c) => `${quoteIdent(c)} IS NOT NULL`);
    if (params.filter) {
      await checkExpression(ctx.db, "clean.filter", params.filter);
      where.push(`(${params.filter})`);
    }
    sql = `SELECT * FROM (${sql}) WHERE ${where.join(" AND ")}`;
    if (params.filter)
      await describe(ctx.db, `(${sql})`).catch((error: unknown) => {
        throw new DataError(`clean.filter: ${firstLine(error)}`);
      });
    const passthrough = () => final.map((c) => ({name: c.name, expr: quoteIdent(c.name)}));
    const ruleFlags = [
      ...dropped.map((c) => ({
        expr: `${quoteIdent(c)} IS NOT NULL`,
        message: `clean.columns.${c}.missing is drop: training never saw a row without ${c}`
      })),
      ...(params.filter
        ? [{expr: `(${params.filter})`, message: `clean.filter: the row fails ${params.filter}`}]
        : [])
    ];
    if (ruleFlags.length) select(passthrough(), ruleFlags);
    // Stage 5: clipping, with bounds measured on the filtered rows.
    const clips: {name: string; expr: string}[] = [];
    for (const [column, rule] of Object.entries(params.columns)) {
      if (!rule.clip) continue;
      const c = final.find((f) => f.name === column);
      if (c?.kind !== "numeric")
        throw new DataError(`clean.columns.${column}.clip: column has type ${c?.type} (expected a number)`);
      const [lo, hi] = await clipBounds(ctx.db, sql, column, rule.clip);
      clips.push({name: column, expr: `least(greatest(${quoteIdent(column)}, ${lo}), ${hi})`});
    }
    if (clips.length) {
      sql = `SELECT * REPLACE (${clips.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`).join(", ")}) FROM (${sql})`;
      // The bounds are fitted numbers: scoring clips with the same ones.
      const replaced = new Map(clips.map((c) => [c.name, c.expr]));
      select(passthrough().map((c) => ({name: c.name, expr: replaced.get(c.name) ?? c.expr})));
    }
    // DISTINCT loses row order; sorting on every column makes the result the same on every run.
    if (params.drop_duplicates) sql = `SELECT DISTINCT * FROM (${sql}) ORDER BY ALL`;
    try {
      await ctx.db.rows(`SELECT count(*) FROM (${sql})`);
    } catch (error) {
      throw new DataError(`clean: ${firstLine(error)}`);
    }
    const replay = inputs.replay as InferencePipeline | undefined;
    return {data: sql, ...(replay ? {replay: stages.reduce(withStage, replay)} : {})};
  }
});

async function clipBounds(
  db: Parameters<typeof describe>[0],
  sql: string,
  column: string,
  rule: z.infer<typeof clipRule>
): Promise<[number, number]> {
  if (rule.method === "bounds")
    return [rule.min ?? -Infinity, rule.max ?? Infinity].map((v) =>
      Number.isFinite(v) ? v : v > 0 ? 1e308 : -1e308
    ) as [number, number];
  const q = quoteIdent(column);
  const [row] = await db.rows<{a: number; b: number}>(
    rule.method === "quantile"
      ? `SELECT quantile_cont(${q}, ${rule.lower}) AS a, quantile_cont(${q}, ${rule.upper}) AS b FROM (${sql})`
      : `SELECT quantile_cont(${q}, 0.25) AS a, quantile_cont(${q}, 0.75) AS b FROM (${sql})`
  );
  if (rule.method === "quantile") return [row.a, row.b];
  const iqr = row.b - row.a;
  return [row.a - rule.k * iqr, row.b + rule.k * iqr];
}

function literal(value: number | string | boolean): string {
  return typeof value === "string" ? quoteString(value) : String(value);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
