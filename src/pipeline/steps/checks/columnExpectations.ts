import type {Db} from "../../engine/db.ts";
import {ConfigError} from "../../errors.ts";
import {quoteIdent, quoteString} from "../../engine/sql.ts";
import type {ColumnRules} from "./rules.ts";
import {columnKind} from "./columnKind.ts";
import {describeValue, plural} from "./describeValue.ts";
import {expectation, type Expectation, type Severity} from "./report.ts";

type Row = Record<string, unknown>;
type Judge = (row: Row) => Expectation | Promise<Expectation>;

/**
 * Judges the per-column expectations. Every measure is an aggregate of one SQL scan over the
 * relation; only failures run a second, small query for examples. Expectations come out in config
 * order, column by column.
 */
export async function columnExpectations(
  db: Db,
  relation: string,
  types: ReadonlyMap<string, string>,
  rules: Readonly<Record<string, ColumnRules>>,
  defaultSeverity: Severity
): Promise<Expectation[]> {
  const aggregates: string[] = [];
  const aggregate = (sql: string) => {
    const alias = `a${aggregates.length}`;
    aggregates.push(`${sql} AS ${alias}`);
    return alias;
  };
  const judges: Judge[] = [];
  for (const [column, rule] of Object.entries(rules)) {
    const severity = rule.severity ?? defaultSeverity;
    const type = types.get(column);
    if (type === undefined) {
      const message = `${column}: column missing (columns: ${[...types.keys()].join(", ")})`;
      const missing = expectation(column, "exists", {
        expected: true,
        observed: false,
        passed: false,
        severity,
        message
      });
      judges.push(() => missing);
      continue;
    }
    const probe: Probe = {db, relation, column, q: quoteIdent(column), type, severity, aggregate};
    judges.push(...(await columnJudges(probe, rule)));
  }
  if (!judges.length) return [];
  const [row] = aggregates.length
    ? await db.rows<Row>(`SELECT ${aggregates.join(", ")} FROM ${relation}`)
    : [{}];
  const out: Expectation[] = [];
  for (const judge of judges) out.push(await judge(row));
  return out;
}

interface Probe {
  db: Db;
  relation: string;
  column: string;
  /** The quoted column identifier. */
  q: string;
  type: string;
  severity: Severity;
  aggregate(sql: string): string;
}

async function columnJudges(p: Probe, rule: ColumnRules): Promise<Judge[]> {
  const {column, q, type, severity} = p;
  const kind = columnKind(type);
  const judges: Judge[] = [];
  const count = (where: string) => p.aggregate(`CAST(count(*) FILTER (WHERE ${where}) AS DOUBLE)`);
  const make = (
    k: Expectation["kind"],
    expected: unknown,
    observed: unknown,
    passed: boolean,
    message: string
  ) => expectation(column, k, {expected, observed, passed, severity, message: `${column}: ${message}`});

  if (rule.type !== undefined) {
    const expected = rule.type;
    const passed = kind === expected;
    judges.push(() =>
      make("type", expected, type, passed, `type ${expected}: ${passed ? "" : "found "}${type}`)
    );
  }
  if (rule.not_null || rule.max_null_fraction !== undefined) {
    const nulls = count(`${q} IS NULL`);
    const rows = p.aggregate("CAST(count(*) AS DOUBLE)");
    if (rule.not_null) {
      judges.push((r) => {
        const n = r[nulls] as number;
        return make("not_null", true, n, n === 0, n ? `not null: found ${plural(n, "null")}` : "no nulls");
      });
    }
    if (rule.max_null_fraction !== undefined) {
      const limit = rule.max_null_fraction;
      judges.push((r) => {
        const n = r[nulls] as number;
        const total = r[rows] as number;
        const fraction = total ? n / total : 0;
        const text = `max null fraction ${limit}: ${fraction <= limit ? "" : "found "}${describeValue(fraction)} (${n} of ${plural(total, "row")})`;
        return make("max_null_fraction", limit, fraction, fraction <= limit, text);
      });
    }
  }
  for (const side of ["min", "max"] as const) {
    const bound = rule[side];
    if (bound === undefined) continue;
    const literal = await boundLiteral(p, side, bound);
    if (literal === null) {
      const text = `${side} ${describeValue(bound)}: cannot compare with a ${type} column`;
      judges.push(() => make(side, bound, type, false, text));
      continue;
    }
    const extreme = p.aggregate(`CAST(${side}(${q}) AS ${kind === "numeric" ? "DOUBLE" : "VARCHAR"})`);
    const outside = count(`${q} ${side === "min" ? "<" : ">"} ${literal}`);
    judges.push((r) => {
      const n = r[outside] as number;
      const found = r[extreme];
      const where = `${plural(n, "row")} ${side === "min" ? "below" : "above"}`;
      const text = n
        ? `${side} ${describeValue(bound)}: found ${describeValue(found)} (${where})`
        : `${side} ${describeValue(bound)}: ${describeValue(found)}`;
      return make(side, bound, found, n === 0, text);
    });
  }
  if (rule.allowed !== undefined) {
    const allowed = rule.allowed;
    const outsideSql = `${q} IS NOT NULL AND ${allowedTest(q, kind, allowed)}`;
    const outside = count(outsideSql);
    judges.push(async (r) => {
      const head = `allowed values ${JSON.stringify(allowed)}`;
      if (!(r[outside] as number)) return make("allowed", allowed, [], true, `${head}: all values allowed`);
      const found = await p.db.rows<{value: string; rows: number}>(
        `SELECT CAST(${q} AS VARCHAR) AS value, CAST(count(*) AS DOUBLE) AS rows FROM ${p.relation} ` +
          `WHERE ${outsideSql} GROUP BY 1 ORDER BY rows DESC, value LIMIT ${EXAMPLES}`
      );
      const listed = found.map((f) => `${JSON.stringify(f.value)} (${plural(f.rows, "row")})`).join(", ");
      const more = (r[outside] as number) - found.reduce((s, f) => s + f.rows, 0);
      return make(
        "allowed",
        allowed,
        found,
        false,
        `${head}: found ${listed}${more ? ` and ${plural(more, "other row")}` : ""}`
      );
    });
  }
  if (rule.unique) {
    const duplicates = p.aggregate(`CAST(count(${q}) - count(DISTINCT ${q}) AS DOUBLE)`);
    judges.push(async (r) => {
      const n = r[duplicates] as number;
      if (!n) return make("unique", true, 0, true, "unique");
      const [top] = await p.db.rows<{value: string; rows: number}>(
        `SELECT CAST(${q} AS VARCHAR) AS value, CAST(count(*) AS DOUBLE) AS rows FROM ${p.relation} ` +
          `WHERE ${q} IS NOT NULL GROUP BY 1 HAVING count(*) > 1 ORDER BY rows DESC, value LIMIT 1`
      );
      return make(
        "unique",
        true,
        n,
        false,
        `unique: found ${plural(n, "duplicate")}, e.g. ${JSON.stringify(top.value)} (${plural(top.rows, "row")})`
      );
    });
  }
  if (rule.regex !== undefined) {
    const pattern = rule.regex;
    await p.db.rows(`SELECT regexp_matches('', ${quoteString(pattern)})`).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new ConfigError(
        `invalid check.columns.${column}.regex: ${JSON.stringify(pattern)} (expected a regular expression: ${reason})`
      );
    });
    const mismatchSql = `${q} IS NOT NULL AND NOT regexp_matches(CAST(${q} AS VARCHAR), ${quoteString(pattern)})`;
    const mismatches = count(mismatchSql);
    judges.push(async (r) => {
      const n = r[mismatches] as number;
      const head = `regex ${JSON.stringify(pattern)}`;
      if (!n) return make("regex", pattern, 0, true, `${head}: all values match`);
      const examples = await p.db.rows<{value: string}>(
        `SELECT DISTINCT CAST(${q} AS VARCHAR) AS value FROM ${p.relation} WHERE ${mismatchSql} ORDER BY value LIMIT 3`
      );
      const listed = examples.map((e) => JSON.stringify(e.value)).join(", ");
      return make(
        "regex",
        pattern,
        n,
        false,
        `${head}: found ${plural(n, "non-matching value")}, e.g. ${listed}`
      );
    });
  }
  return judges;
}

/** How many unexpected values an `allowed` failure lists. */
const EXAMPLES = 10;

/**
 * A SQL literal comparable with the column, or null when the bound cannot apply (a number against
 * a text column, say): that expectation then fails, naming the type, rather than erroring in SQL.
 */
async function boundLiteral(p: Probe, side: "min" | "max", bound: number | string): Promise<string | null> {
  const kind = columnKind(p.type);
  if (typeof bound === "number") return kind === "numeric" ? String(bound) : null;
  if (kind === "string") return quoteString(bound);
  if (kind !== "date" && kind !== "numeric") return null;
  const literal = `CAST(${quoteString(bound)} AS ${p.type})`;
  const [{ok}] = await p.db.rows<{ok: boolean}>(
    `SELECT TRY_CAST(${quoteString(bound)} AS ${p.type}) IS NOT NULL AS ok`
  );
  if (!ok) {
    throw new ConfigError(
      `invalid check.columns.${p.column}.${side}: ${JSON.stringify(bound)} (expected a value of the column's type ${p.type})`
    );
  }
  return literal;
}

/**
 * SQL that is true for a value outside `allowed`. Numbers against a numeric column and booleans
 * against a boolean one compare natively; anything else compares as text, which never errors.
 */
function allowedTest(q: string, kind: string, allowed: readonly (string | number | boolean)[]): string {
  if (kind === "numeric" && allowed.every((v) => typeof v === "number"))
    return `${q} NOT IN (${allowed.join(", ")})`;
  if (kind === "boolean" && allowed.every((v) => typeof v === "boolean"))
    return `${q} NOT IN (${allowed.join(", ")})`;
  return `CAST(${q} AS VARCHAR) NOT IN (${allowed.map((v) => quoteString(String(v))).join(", ")})`;
}
