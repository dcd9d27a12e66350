import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {Db} from "../engine/db.ts";
import {plainRows} from "../engine/plainRows.ts";
import {defineStep, type Config} from "../engine/step.ts";
import {startPipeline} from "../ml/inference.ts";
import {checkFileShape} from "../engine/fileShape.ts";
import {checkQuery, sqlTypeName} from "../engine/sqlShape.ts";

export const formats = ["csv", "tsv", "json", "ndjson", "parquet", "arrow"] as const;
export type Format = (typeof formats)[number];

/** `data:` — where the rows come from and what to predict; read by every step that needs the target. */
export const dataSection = z
  .object({
    /** A file path (relative to the config), a package path like vega-datasets/data/penguins.json, or an http(s) URL. */
    source: z.string().min(1).optional(),
    /** Instead of `source`: named files (paths or package paths) and a DuckDB query over them. */
    tables: z.record(z.string().regex(/^[A-Za-z_]\w*$/, "expected a SQL name"), z.string().min(1)).optional(),
    sql: z.string().min(1).optional(),
    format: z.enum(formats).optional(),
    columns: z.record(z.string(), sqlTypeName).prefault({}),
    sample: z.number().int().positive().optional(),
    /** For a URL source: change this to fetch the URL again. */
    refresh: z.union([z.string(), z.number()]).default(0),
    /** The column to predict. */
    target: z.string().min(1),
    task: z.enum(["classification", "regression"]).default("classification")
  })
  .strict()
  .superRefine((data, ctx) => {
    if (!data.source === !data.sql)
      ctx.addIssue({
        code: "custom",
        path: ["source"],
        message: "give either data.source or data.sql (with data.tables)"
      });
    if (data.sql && !data.tables)
      ctx.addIssue({code: "custom", path: ["tables"], message: "data.sql needs data.tables: {name: file}"});
  });
export type DataConfig = z.infer<typeof dataSection>;

/** The `data:` section of a validated config. */
export function dataOf(config: Config): DataConfig {
  return config.data as DataConfig;
}

/** Whether `data.source` is fetched over the network (by the download step) rather than read from disk. */
export function isRemote(source: string | undefined): source is string {
  return !!source && /^https?:\/\//.test(source);
}

export const ingestParams = z
  .object({
    /** Absolute path of the data file, resolved from `data.source` (a URL when it is downloaded). */
    path: z.string(),
    /** File format; default: from the file extension. */
    format: z.enum(formats).optional(),
    /** A DuckDB query over `tables` (name → absolute path), instead of one file. */
    sql: z.string().optional(),
    tables: z.record(z.string(), z.string()).default({}),
    /** Per-column type overrides, as DuckDB types (`DOUBLE`, `VARCHAR`, `DATE` …). */
    columns: z.record(z.string(), sqlTypeName).default({}),
    /** Keep only the first N rows (a quick look at a big file). Default: all rows. */
    sample: z.number().int().positive().optional()
  })
  .strict();
export type IngestParams = z.infer<typeof ingestParams>;

/** Reads a file through DuckDB, with types inferred and optionally overridden per column. */
export const ingest = defineStep({
  name: "ingest",
  module: import.meta.url,
  params: ingestParams,
  sections: {data: dataSection},
  inputs: {file: {kind: "file", optional: true, description: "a downloaded copy of a remote source"}},
  outputs: {
    data: {kind: "table", artifact: "raw_data", type: "dataset"},
    replay: {kind: "json", artifact: "raw_inference", type: "inference"}
  },
  configure(config, env) {
    const data = dataOf(config);
    const read = {format: data.format, columns: data.columns, sample: data.sample};
    const label = data.source ?? "data.sql";
    if (data.sql) {
      // A query over named files: every file's content enters the key, and so does the query.
      const tables = Object.fromEntries(
        Object.entries(data.tables ?? {}).map(([name, file]) => [name, env.resolveSource(file)])
      );
      return {
        params: {path: "", tables, sql: data.sql, ...read},
        identity: {data: {...read, sql: data.sql, tables: Object.keys(tables).sort()}},
        sources: Object.keys(tables)
          .sort()
          .map((name) => tables[name]),
        label
      };
    }
    if (isRemote(data.source)) {
      // The download step fetched it into the store; this reads the stored copy.
      return {
        params: {path: data.source, ...read},
        identity: {data: read},
        inputs: {file: "download.file"},
        label
      };
    }
    const path = env.resolveSource(data.source!);
    return {params: {path, ...read}, identity: {data: read}, sources: [path], label};
  },
  async run(inputs, params, ctx) {
    let reader: string;
    let format: string;
    if (params.sql) {
      for (const [name, file] of Object.entries(params.tables)) {
        await ctx.db
          .run(
            `CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM ${await readerSql(ctx.db, file, formatOf(file))}`
          )
          .catch((error: unknown) => {
            throw new DataError(`data.tables.${name}: cannot read ${file}: ${firstLine(error)}`);
          });
      }
      await checkQuery(ctx.db, "data.sql", params.sql);
      reader = `(${params.sql})`;
      format = "data.sql";
    } else {
      // A downloaded copy is stored under the URL's extension.
      const path = inputs.file ?? params.path;
      format = params.format ?? formatOf(path);
      reader = await readerSql(ctx.db, path, format as Format);
    }
    let columns: {column_name: string; column_type: string}[];
    try {
      columns = await ctx.db.rows(`DESCRIBE SELECT * FROM ${reader}`);
    } catch (error) {
      throw new DataError(
        params.sql ? `data.sql: ${firstLine(error)}` : `cannot read as ${format}: ${firstLine(error)}`
      );
    }
    const names = new Set(columns.map((c) => c.column_name));
    for (const column of Object.keys(params.columns)) {
      if (!names.has(column)) {
        throw new DataError(
          `data.columns names column ${JSON.stringify(column)}, which the file does not have (columns: ${[...names].join(", ")})`
        );
      }
    }
    const casts = Object.entries(params.columns).map(
      ([c, type]) => `TRY_CAST(${quoteIdent(c)} AS ${type}) AS ${quoteIdent(c)}`
    );
    // JSON values of mixed kinds (a title that is sometimes a number) come back typed JSON: read them as text.
    for (const c of columns) {
      if (c.column_type === "JSON" && !(c.column_name in params.columns))
        casts.push(`(${quoteIdent(c.column_name)} ->> '$') AS ${quoteIdent(c.column_name)}`);
    }
    const select = casts.length ? `* REPLACE (${casts.join(", ")})` : "*";
    const [{n}] = await ctx.db.rows<{n: number}>(`SELECT count(*) AS n FROM ${reader}`).catch((error) => {
      throw new DataError(`cannot read: ${firstLine(error)}`);
    });
    if (Number(n) === 0) throw new DataError("the file holds no rows");
    const data = `SELECT ${select} FROM ${reader}${params.sample ? ` LIMIT ${params.sample}` : ""}`;
    // Scoring starts from rows as read here: their columns and types, and a few for an example.
    const raw = (await ctx.db.rows<{column_name: string; column_type: string}>(`DESCRIBE ${data}`)).map(
      (c) => ({
        name: c.column_name,
        type: c.column_type
      })
    );
    const example = await plainRows(ctx.db, `SELECT * FROM (${data}) LIMIT 5`);
    return {data, replay: startPipeline(raw, example)};
  }
});

export function formatOf(path: string): Format {
  const extension = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  switch (extension) {
    case "csv":
    case "tsv":
    case "json":
    case "ndjson":
    case "parquet":
      return extension;
    case "jsonl":
      return "ndjson";
    case "arrow":
    case "arrows":
    case "feather":
    case "ipc":
      return "arrow";
    case "txt":
      return "csv";
  }
  throw new DataError(
    `${path}: cannot tell the format from the extension (set data.format to one of ${formats.join(", ")})`
  );
}

let arrowTables = 0;

/**
 * SQL reading `path` (also used by check for its drift reference): a DuckDB table function, or
 * for Arrow IPC a temp table of this connection loaded from the file first.
 */
export async function readerSql(db: Db, path: string, format: Format): Promise<string> {
  await checkFileShape(path, format);
  const p = quoteString(path);
  switch (format) {
    case "arrow": {
      // apache-arrow loads only for an Arrow file: config validation imports this module too.
      const {loadArrowFile} = await import("../engine/arrowFile.ts");
      const table = `__arrow_${++arrowTables}`;
      await loadArrowFile(db, path, table);
      return quoteIdent(table);
    }
    case "csv":
      return `read_csv(${p}, header = true, auto_detect = true)`;
    case "tsv":
      return `read_csv(${p}, header = true, auto_detect = true, delim = '\t')`;
    case "json":
      return `read_json_auto(${p})`;
    case "ndjson":
      return `read_json_auto(${p}, format = 'newline_delimited')`;
    case "parquet":
      return `read_parquet(${p})`;
  }
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
