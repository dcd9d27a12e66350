import type {Db} from "../../engine/db.ts";
import type {TableRules} from "./rules.ts";
import {plural} from "./describeValue.ts";
import {expectation, type Expectation, type Severity} from "./report.ts";

/** Row-count range and, when asked, no duplicate rows (one DISTINCT over every column). */
export async function tableExpectations(
  db: Db,
  relation: string,
  rows: number,
  rules: TableRules,
  defaultSeverity: Severity
): Promise<Expectation[]> {
  const severity = rules.severity ?? defaultSeverity;
  const out: Expectation[] = [];
  const found = plural(rows, "row");
  if (rules.min_rows > 0) {
    const passed = rows >= rules.min_rows;
    const message = `table: min rows ${rules.min_rows}: ${passed ? "" : "found "}${found}`;
    out.push(
      expectation(null, "min_rows", {expected: rules.min_rows, observed: rows, passed, severity, message})
    );
  }
  if (rules.max_rows !== null) {
    const passed = rows <= rules.max_rows;
    const message = `table: max rows ${rules.max_rows}: ${passed ? "" : "found "}${found}`;
    out.push(
      expectation(null, "max_rows", {expected: rules.max_rows, observed: rows, passed, severity, message})
    );
  }
  if (rules.no_duplicate_rows) {
    const [{n: distinct}] = await db.rows<{n: number}>(
      `SELECT CAST(count(*) AS DOUBLE) AS n FROM (SELECT DISTINCT * FROM ${relation})`
    );
    const duplicates = rows - distinct;
    const passed = duplicates === 0;
    const message = `table: no duplicate rows: ${passed ? "none" : `found ${plural(duplicates, "duplicate row")}`}`;
    out.push(
      expectation(null, "no_duplicate_rows", {
        expected: true,
        observed: duplicates,
        passed,
        severity,
        message
      })
    );
  }
  return out;
}
