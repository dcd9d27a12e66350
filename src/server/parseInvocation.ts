import {csvParse} from "d3-dsv";
import {RequestError} from "./requestError.ts";

/** A scoring request's rows, as MLflow's scoring protocol sends them. */
export type InvocationRows = Record<string, unknown>[];

const FORMATS = "dataframe_split, dataframe_records, instances or inputs";

/**
 * The rows of a `POST /invocations` body, in any of MLflow's scoring formats:
 * - `application/json` with one of `dataframe_split` (`{columns, data, index?}`),
 *   `dataframe_records` (a list of row objects), `instances` or `inputs` (row objects, or one
 *   object of equal-length columns), and optionally `params` (refused: the model takes none);
 * - `text/csv`: a header line, then rows (an empty field is missing).
 * Anything else is a RequestError (400, or 415 for a content type it does not read) naming the
 * key, row or column at fault.
 */
export function parseInvocation(contentType: string | undefined, body: string): InvocationRows {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "text/csv") return csvRows(body);
  if (type !== "application/json" && type !== "")
    throw new RequestError(
      415,
      `content type ${type} is not read: send application/json (${FORMATS}) or text/csv`
    );
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new RequestError(400, `the body is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new RequestError(400, `the body must be a JSON object with one of ${FORMATS}`);
  const keys = Object.keys(json).filter((k) => k !== "params");
  if (isObject(json.params) && Object.keys(json.params).length)
    throw new RequestError(
      400,
      `params: this model takes no parameters (got ${Object.keys(json.params).join(", ")})`
    );
  if (keys.length !== 1 || !["dataframe_split", "dataframe_records", "instances", "inputs"].includes(keys[0]))
    throw new RequestError(
      400,
      keys.length
        ? `the body has ${keys.join(", ")}: it needs exactly one of ${FORMATS}`
        : `the body needs one of ${FORMATS}`
    );
  const key = keys[0];
  const value = json[key];
  if (key === "dataframe_split") return splitRows(value);
  if (key === "dataframe_records") return recordRows(value, key);
  // instances / inputs: row objects, or one object of columns.
  if (isObject(value)) return columnRows(value, key);
  return recordRows(value, key);
}

function splitRows(value: unknown): InvocationRows {
  if (!isObject(value)) throw new RequestError(400, "dataframe_split must be an object {columns, data}");
  const {columns, data} = value;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string"))
    throw new RequestError(400, "dataframe_split.columns must be a list of column names");
  if (!Array.isArray(data)) throw new RequestError(400, "dataframe_split.data must be a list of rows");
  return data.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length)
      throw new RequestError(
        400,
        `dataframe_split.data[${i}] must be a list of ${columns.length} values (one per column)`
      );
    return Object.fromEntries(columns.map((c, j) => [c, row[j]]));
  });
}

function recordRows(value: unknown, key: string): InvocationRows {
  if (!Array.isArray(value)) throw new RequestError(400, `${key} must be a list of row objects`);
  value.forEach((row, i) => {
    if (!isObject(row)) throw new RequestError(400, `${key}[${i}] must be an object of column values`);
  });
  return value as InvocationRows;
}

function columnRows(value: Record<string, unknown>, key: string): InvocationRows {
  const columns = Object.entries(value);
  let length: number | undefined;
  for (const [name, values] of columns) {
    if (!Array.isArray(values)) throw new RequestError(400, `${key}.${name} must be a list of values`);
    if (length !== undefined && values.length !== length)
      throw new RequestError(400, `${key}.${name} has ${values.length} values, other columns ${length}`);
    length = values.length;
  }
  return Array.from({length: length ?? 0}, (_, i) =>
    Object.fromEntries(columns.map(([name, values]) => [name, (values as unknown[])[i]]))
  );
}

function csvRows(body: string): InvocationRows {
  if (!body.trim()) throw new RequestError(400, "the CSV body is empty: it needs a header line");
  const rows = csvParse(body);
  const width = rows.columns.length;
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let j = 0; j < width; ++j) {
      const value = row[rows.columns[j]];
      out[rows.columns[j]] = value === "" || value === undefined ? null : value;
    }
    return out;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
