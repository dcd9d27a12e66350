import type {Db} from "../../engine/db.ts";
import {DataError} from "../../errors.ts";
import {quoteIdent} from "../../engine/sql.ts";
import type {DriftRules} from "./rules.ts";
import {chiSquareDrift} from "./chiSquareDrift.ts";
import {columnKind} from "./columnKind.ts";
import {ksDrift} from "./ksDrift.ts";
import {shortNumber} from "../../ml/shortNumber.ts";
import {expectation, type DriftResult, type Expectation} from "./report.ts";

/**
 * Compares each drift column of `current` with the same column of `reference`: numeric and date
 * columns (dates as epoch seconds) by two-sample KS, everything else by chi-square on category
 * counts. The current column's type picks the test; the reference is cast to it, so a reference
 * CSV that read a number column as text still compares as numbers.
 */
export async function driftChecks(
  db: Db,
  current: string,
  currentTypes: ReadonlyMap<string, string>,
  reference: string,
  referenceTypes: ReadonlyMap<string, string>,
  referenceLabel: string,
  rules: DriftRules
): Promise<{drift: DriftResult[]; expectations: Expectation[]}> {
  const columns = rules.columns ?? [...currentTypes.keys()].filter((c) => referenceTypes.has(c));
  for (const column of columns) {
    const where = !currentTypes.has(column)
      ? "the data"
      : !referenceTypes.has(column)
        ? referenceLabel
        : null;
    if (where)
      throw new DataError(`check.drift.columns: column ${JSON.stringify(column)} is not in ${where}`);
  }
  const drift: DriftResult[] = [];
  const expectations: Expectation[] = [];
  for (const column of columns) {
    const q = quoteIdent(column);
    const kind = columnKind(currentTypes.get(column)!);
    const numeric = kind === "numeric" || kind === "date";
    const value =
      kind === "date"
        ? `epoch(TRY_CAST(${q} AS TIMESTAMP))`
        : numeric
          ? `TRY_CAST(${q} AS DOUBLE)`
          : `CAST(${q} AS VARCHAR)`;
    const select = (relation: string) => `SELECT ${value} AS ${numeric ? "x" : "v"} FROM ${relation}`;
    const outcome = numeric
      ? await ksDrift(db, select(reference), select(current), rules.bins)
      : await chiSquareDrift(db, select(reference), select(current), rules.max_categories);
    const test = numeric ? "ks" : "chi2";
    const drifted = outcome.p_value !== null && outcome.p_value < rules.p_value;
    drift.push({column, test, drifted, ...outcome});
    // Says what was found: `x: drift (ks p = 8.3e-6 < 0.05, statistic 0.41; …)`.
    const p = outcome.p_value;
    const found =
      p === null
        ? `no values to compare (${test})`
        : `${drifted ? "drift" : "no drift"} (${test} p = ${shortNumber(p)} ${drifted ? "<" : "≥"} ${rules.p_value}, statistic ${shortNumber(outcome.statistic ?? NaN)}`;
    expectations.push(
      expectation(column, "drift", {
        expected: {test, min_p_value: rules.p_value},
        observed: outcome.p_value,
        passed: !drifted,
        severity: rules.severity,
        message: `${column}: ${found}${p === null ? " (" : "; "}${outcome.reference_rows} reference vs ${outcome.current_rows} current values)`
      })
    );
  }
  return {drift, expectations};
}
