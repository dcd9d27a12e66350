import {createReadStream} from "node:fs";
import {DataError} from "../errors.ts";

/** The most columns a CSV or TSV header may have: a wider file takes DuckDB minutes and gigabytes. */
export const MAX_COLUMNS = 10_000;
/** The deepest JSON nesting read: DuckDB's reader recurses and crashes (a segfault) far deeper. */
export const MAX_JSON_DEPTH = 256;

/**
 * Refuses a data file whose shape would hang or crash the reader, before it reads it: a CSV or
 * TSV header of more than MAX_COLUMNS columns, JSON nested deeper than MAX_JSON_DEPTH. One pass
 * over the header line, or over the JSON text counting brackets outside strings.
 */
export async function checkFileShape(path: string, format: string): Promise<void> {
  if (format === "csv" || format === "tsv") return checkHeader(path, format === "tsv" ? 9 : 44);
  if (format === "json" || format === "ndjson") return checkDepth(path);
}

async function checkHeader(path: string, delimiter: number): Promise<void> {
  let columns = 1;
  let quoted = false;
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20}) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 34) quoted = !quoted;
      else if (!quoted && byte === delimiter) columns += 1;
      else if (!quoted && byte === 10) return refuseWide(path, columns);
    }
    if (columns > MAX_COLUMNS) return refuseWide(path, columns);
  }
  refuseWide(path, columns);
}

function refuseWide(path: string, columns: number): void {
  if (columns > MAX_COLUMNS)
    throw new DataError(
      `${path}: the header has more than ${MAX_COLUMNS.toLocaleString("en-US")} columns (${columns.toLocaleString("en-US")} counted): too wide a table to read (a matrix this wide belongs in Parquet, or in fewer columns)`
    );
}

async function checkDepth(path: string): Promise<void> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let offset = 0;
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20}) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; ++i) {
      const byte = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 92) escaped = true;
        else if (byte === 34) inString = false;
      } else if (byte === 34) inString = true;
      else if (byte === 91 || byte === 123) {
        if (++depth > MAX_JSON_DEPTH)
          throw new DataError(
            `${path}: JSON nested more than ${MAX_JSON_DEPTH} levels deep (at byte ${offset + i}): refused before reading (rows of a table nest a few levels at most)`
          );
      } else if (byte === 93 || byte === 125) depth -= 1;
    }
    offset += chunk.length;
  }
}
