import {z} from "zod";
import {DataError} from "../errors.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {Db} from "../engine/db.ts";
import {defineStep, fileInput} from "../engine/step.ts";

export const formats = ["csv", "tsv", "json", "ndjson", "parquet", "arrow"] as const;
export type Format = (typeof formats)[number];

export const ingestParams = z
  .object({
    /** Absolute path of the data file, resolved by the graph from `data.source` (a URL is read from its download). */
    path: z.string(),
    /** File format; default: from the file extension. */
    format: z.enum(formats).optional(),
    /** A DuckDB query over `tables` (name → absolute path), instead of one file. */
    sql: z.string().optional(),
    tables: z.record(z.string(), z.string()).default({}),
    /** Per-column type overrides, as DuckDB types (`DOUBLE`, `VARCHAR`, `DATE` …). */
    columns: z.record(z.string(), z.string()).default({}),
    /** Keep only the first N rows (a quick look at a big file). Default: all rows. */
    sample: z.number().int().positive().optional()
  })
  .strict();
export type IngestParams = z.infer<typeof ingestParams>;

/** Reads a file through DuckDB, with types inferred and optionally overridden per column. */
export const ingest = defineStep({
  name: "ingest",
  inputs: [],
  params: ingestParams,
  module: import.meta.url,
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
      reader = `(${params.sql})`;
      format = "data.sql";
    } else {
      const path = inputs.download ? fileInput(inputs, "download") : params.path;
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
    return {
      tables: {data: `SELECT ${select} FROM ${reader}${params.sample ? ` LIMIT ${params.sample}` : ""}`}
    };
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
