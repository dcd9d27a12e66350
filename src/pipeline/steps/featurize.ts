import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent} from "../engine/sql.ts";
import {defineStep} from "../engine/step.ts";
import {describe} from "../engine/table.ts";
import {withStage, type InferencePipeline, type InferenceStage, type WindowSpec} from "../ml/inference.ts";

const dateParts = [
  "year",
  "quarter",
  "month",
  "week",
  "day",
  "dayofyear",
  "weekday",
  "hour",
  "minute"
] as const;

const windowSpec = z
  .object({
    /** The column to aggregate (e.g. the delay of earlier flights). */
    column: z.string(),
    /** Aggregate separately per value of this column (e.g. per origin airport). */
    by: z.string().optional(),
    /** Orders rows in time; only rows strictly before the current one's time count (ties: by input order). */
    order: z.string(),
    /** Look back this many earlier rows … */
    rows: z.number().int().positive().optional(),
    /** … or this many days (with a date or timestamp `order`). */
    days: z.number().positive().optional(),
    agg: z.enum(["mean", "sum", "count", "min", "max"]).default("mean"),
    /** Output column name; default `<agg>_<column>_<rows|days>`. */
    name: z.string().optional()
  })
  .strict()
  .refine((w) => (w.rows === undefined) !== (w.days === undefined), {
    message: "give exactly one of rows or days"
  });

export const featurizeParams = z
  .object({
    /** Date parts as new columns `<column>_<part>` (weekday: 0 = Sunday). */
    date_parts: z
      .array(
        z
          .object({
            column: z.string(),
            parts: z.array(z.enum(dateParts)).default(["year", "month", "weekday"])
          })
          .strict()
      )
      .default([]),
    /** log(1 + x) of each column, as `log1p_<column>`. */
    log1p: z.array(z.string()).default([]),
    /** Degree-2 terms (squares and pairwise products) of these numeric columns, as sklearn's PolynomialFeatures names them. */
    polynomial: z.array(z.string()).default([]),
    /** Crossings of two categoricals as one column `<a>_x_<b>` holding "a|b". */
    cross: z.array(z.tuple([z.string(), z.string()])).default([]),
    /** Aggregates over earlier rows only, so the current row's target never leaks into its features. */
    window: z.array(windowSpec).default([]),
    /** Columns to drop after featurizing (e.g. a raw timestamp). */
    drop: z.array(z.string()).default([])
  })
  .strict();
export type FeaturizeParams = z.infer<typeof featurizeParams>;

/**
 * Stateless features computed row by row (or from earlier rows) in DuckDB: nothing here is
 * fitted, so nothing can leak from test rows — fitted transforms live in the model bundle.
 */
export const featurize = defineStep({
  name: "featurize",
  module: import.meta.url,
  params: featurizeParams,
  /** Optional stateless features (date parts, log1p, crossings, windows over earlier rows). */
  sections: {featurize: featurizeParams.optional()},
  inputs: {data: {kind: "table"}, replay: {kind: "json", optional: true}},
  outputs: {
    data: {kind: "table", artifact: "featurize_data", type: "dataset"},
    replay: {kind: "json", artifact: "featurize_inference", type: "inference", optional: true}
  },
  replay: true,
  configure(config) {
    const own = config.featurize as FeaturizeParams | undefined;
    return own ? {params: own, identity: {featurize: own}} : null;
  },
  async run(inputs, params, ctx) {
    const source = inputs.data;
    const columns = new Map((await describe(ctx.db, source)).map((c) => [c.name, c]));
    const need = (name: string, where: string, kind?: "numeric" | "categorical") => {
      const c = columns.get(name);
      if (!c)
        throw new DataError(
          `featurize.${where}: no column ${JSON.stringify(name)} (columns: ${[...columns.keys()].join(", ")})`
        );
      if (kind && c.kind !== kind)
        throw new DataError(
          `featurize.${where}: column ${JSON.stringify(name)} has type ${c.type} (expected ${kind})`
        );
      return quoteIdent(name);
    };
    // Each added column as data too: scoring computes it again on new rows (windows from state).
    const added: {name: string; expr: string}[] = [];
    const windows: WindowSpec[] = [];
    for (const {column, parts} of params.date_parts) {
      const c = need(column, "date_parts");
      if (!/DATE|TIMESTAMP/.test(columns.get(column)!.type)) {
        throw new DataError(
          `featurize.date_parts: column ${JSON.stringify(column)} has type ${columns.get(column)!.type} (expected a date or timestamp)`
        );
      }
      for (const part of parts)
        added.push({
          name: `${column}_${part}`,
          expr: `date_part('${part === "weekday" ? "dow" : part === "dayofyear" ? "doy" : part}', ${c})`
        });
    }
    for (const column of params.log1p)
      added.push({name: `log1p_${column}`, expr: `ln(1 + ${need(column, "log1p", "numeric")})`});
    const poly = params.polynomial.map((c) => need(c, "polynomial", "numeric"));
    for (let i = 0; i < poly.length; ++i) {
      for (let j = i; j < poly.length; ++j) {
        const name =
          i === j ? `${params.polynomial[i]}^2` : `${params.polynomial[i]} ${params.polynomial[j]}`;
        added.push({name, expr: `${poly[i]} * ${poly[j]}`});
      }
    }
    for (const [a, b] of params.cross) {
      added.push({
        name: `${a}_x_${b}`,
        expr: `${need(a, "cross")}::VARCHAR || '|' || ${need(b, "cross")}::VARCHAR`
      });
    }
    // Windows see earlier rows only. Rows are ordered by time and then by input order (__row), so
    // ties in time never make the result depend on how DuckDB sorted them.
    const staged: string[] = [];
    const windowed: {name: string; expr: string}[] = [];
    params.window.forEach((w, i) => {
      const value = need(w.column, "window", "numeric");
      const order = need(w.order, "window");
      const by = w.by ? need(w.by, "window") : undefined;
      const partition = by ? `PARTITION BY ${by} ` : "";
      const agg = w.agg === "mean" ? "avg" : w.agg;
      const named =
        w.name ?? `${w.agg}_${w.column}_${w.rows !== undefined ? `${w.rows}rows` : `${w.days}days`}`;
      windows.push({
        column: w.column,
        by: w.by,
        order: w.order,
        rows: w.rows,
        days: w.days,
        agg: w.agg,
        name: named
      });
      if (w.rows !== undefined) {
        // The `rows` rows before the first row of this time (its same-time rows share the value):
        // neither the row's own value nor one of the same time enters.
        staged.push(
          `${agg}(${value}) OVER (${partition}ORDER BY ${order}, __row ROWS BETWEEN ${w.rows} PRECEDING AND 1 PRECEDING) AS __w${i}`
        );
        windowed.push({
          name: named,
          expr: `first_value(__w${i}) OVER (PARTITION BY ${by ? `${by}, ` : ""}${order} ORDER BY __row)`
        });
      } else {
        // A time range is a set of rows whatever their order; sums go through DECIMAL, which adds
        // exactly, so the result does not depend on the order DuckDB adds them in either.
        const exact = w.agg === "mean" || w.agg === "sum" ? `${value}::DECIMAL(38, 12)` : value;
        windowed.push({
          name: named,
          expr: `(${agg}(${exact}) OVER (${partition}ORDER BY ${order} RANGE BETWEEN to_seconds(${(w.days ?? 0) * 86400}) PRECEDING AND CURRENT ROW EXCLUDE GROUP))::DOUBLE`
        });
      }
    });
    for (const column of params.drop) need(column, "drop");
    const kept = [...columns.keys()].filter((c) => !params.drop.includes(c));
    const out = [...kept.map(quoteIdent), ...added.map((a) => `${a.expr} AS ${quoteIdent(a.name)}`)];
    let sql = `SELECT ${out.join(", ")} FROM ${source}`; // a scan keeps the input's row order
    if (windowed.length) {
      // Windows sort their rows: only the columns they read are sorted (not every column of the
      // table, three times), and their values, put back in input order, are joined to the rows by
      // position. DuckDB runs a POSITIONAL JOIN on one thread, in the order each side gives.
      const read = new Set(
        params.window.flatMap((w) => [w.column, w.order, ...(w.by ? [w.by] : [])]).map(quoteIdent)
      );
      const narrow = `SELECT ${[...read].join(", ")}, __row FROM ${ctx.numbered(source)}`;
      const inner = staged.length ? `SELECT *, ${staged.join(", ")} FROM (${narrow})` : narrow;
      const values = `SELECT ${windowed.map((a, i) => `${a.expr} AS __window${i}`).join(", ")} FROM (${inner}) ORDER BY __row`;
      const joined = windowed.map((a, i) => `__window${i} AS ${quoteIdent(a.name)}`);
      sql = `SELECT ${[...out, ...joined].join(", ")} FROM ${source} POSITIONAL JOIN (${values})`;
    }
    const replay = inputs.replay as InferencePipeline | undefined;
    if (!replay) return {data: sql};
    const same = (name: string) => ({name, expr: quoteIdent(name)});
    const stages: InferenceStage[] = [
      {kind: "select", step: "featurize", columns: [...[...columns.keys()].map(same), ...added], flags: []},
      // The rows before the scored ones (the state) are the training rows' end: train keeps them.
      ...(windows.length ? [{kind: "window" as const, step: "featurize", windows, state: []}] : []),
      {
        kind: "select",
        step: "featurize",
        columns: [...kept, ...added.map((a) => a.name), ...windows.map((w) => w.name)].map(same),
        flags: []
      }
    ];
    return {data: sql, replay: stages.reduce(withStage, replay)};
  }
});
