import {z} from "zod";
import {ConfigError} from "../errors.ts";
import type {Db} from "./db.ts";
import {quoteString} from "./sql.ts";

/**
 * SQL a config may hold is an expression language, not a shell. Three shapes, each checked before
 * the text goes into a query: a type name (a grammar, so nothing but a type fits), one expression
 * (`clean.filter`, `clean.derive`) and one SELECT query (`data.sql`), the last two checked by
 * DuckDB's own parser. What a well-formed query may reach is bounded by the database it runs on
 * (db.ts FileAccess): the store and the configured data files, nothing else.
 */

/** DOUBLE, VARCHAR, DECIMAL(10, 2), TIMESTAMP WITH TIME ZONE, INTEGER[] …: words, one size, array marks. */
const TYPE_NAME = /^[A-Za-z]\w*(?: [A-Za-z]\w*)*(?: ?\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\[\d*\])*$/;

/** A DuckDB type name in a config (`data.columns`, `clean.columns.*.cast`). */
export const sqlTypeName = z
  .string()
  .regex(TYPE_NAME, "expected a DuckDB type name such as DOUBLE, VARCHAR, DECIMAL(10, 2), DATE or INTEGER[]");

interface Parsed {
  error?: boolean;
  error_message?: string;
  statements?: {node: Record<string, unknown>}[];
}

async function parse(db: Db, sql: string): Promise<Parsed> {
  const [{j}] = await db.rows<{j: string}>(`SELECT json_serialize_sql(${quoteString(sql)}) AS j`);
  return JSON.parse(j) as Parsed;
}

function firstLine(message: string | undefined): string {
  return (message ?? "does not parse").split("\n")[0];
}

/** Refuses text that is not exactly one SQL expression (no `;`, no second column, no clause). */
export async function checkExpression(db: Db, key: string, expression: string): Promise<void> {
  const parsed = await parse(db, `SELECT (${expression}) AS __mlbook_expression`);
  const what = `${key}: expected one SQL expression, got ${JSON.stringify(expression.slice(0, 80))}`;
  if (parsed.error) throw new ConfigError(`${what} (${firstLine(parsed.error_message)})`);
  const node = parsed.statements?.length === 1 ? parsed.statements[0].node : undefined;
  const from = node?.from_table as {type?: string} | undefined;
  const list = node?.select_list as unknown[] | undefined;
  const empty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0);
  const single =
    node?.type === "SELECT_NODE" &&
    list?.length === 1 &&
    from?.type === "EMPTY" &&
    empty(node.where_clause) &&
    empty(node.group_expressions) &&
    empty(node.having) &&
    empty(node.qualify) &&
    empty(node.modifiers);
  if (!single) throw new ConfigError(`${what} (it reads as more than one expression, or adds a clause)`);
}

/** Refuses text that is not exactly one SELECT query (no `;`-joined statements, no COPY, ATTACH, SET …). */
export async function checkQuery(db: Db, key: string, sql: string): Promise<void> {
  const parsed = await parse(db, sql);
  const what = `${key}: expected one SELECT query`;
  if (parsed.error) {
    const message = firstLine(parsed.error_message);
    // json_serialize_sql takes SELECT statements only: any other (COPY, ATTACH, SET …) fails so.
    throw new ConfigError(
      /Only SELECT statements/.test(message)
        ? `${what}, got a statement of another kind`
        : `${what} (${message})`
    );
  }
  if (parsed.statements?.length !== 1)
    throw new ConfigError(`${what}, got ${parsed.statements?.length ?? 0} statements`);
}
