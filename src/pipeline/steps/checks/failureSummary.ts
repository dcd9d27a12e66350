import {plural} from "./describeValue.ts";
import type {CheckReport} from "./report.ts";

/**
 * The error text for a failed check: a header, then one indented line per failed `error`
 * expectation (its message names the column and the observed value); warnings are only counted.
 */
export function failureSummary(report: CheckReport): string {
  const failed = report.expectations.filter((e) => !e.passed);
  const errors = failed.filter((e) => e.severity === "error");
  const warnings = failed.length - errors.length;
  const header = `check: ${plural(errors.length, "expectation")} failed${warnings ? ` (and ${plural(warnings, "warning")})` : ""}`;
  return [header, ...errors.map((e) => `  ${e.message}`)].join("\n");
}
