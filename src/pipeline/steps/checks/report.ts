export type Severity = "error" | "warn";

export type ExpectationKind =
  | "exists"
  | "type"
  | "not_null"
  | "max_null_fraction"
  | "min"
  | "max"
  | "allowed"
  | "unique"
  | "regex"
  | "min_rows"
  | "max_rows"
  | "no_duplicate_rows"
  | "drift";

/** One expectation's outcome; `observed` is the measured value it was judged on, kept JSON-safe. */
export interface Expectation {
  /** `<column>.<kind>` or `table.<kind>`: stable, so reports can be diffed run to run. */
  id: string;
  column: string | null;
  kind: ExpectationKind;
  expected: unknown;
  observed: unknown;
  passed: boolean;
  severity: Severity;
  message: string;
}

/** One bin of a drift chart: a numeric range [lo, hi) (the last bin closed) or a category. */
export type DriftBin =
  | {lo: number; hi: number; reference: number; current: number}
  | {category: string | null; reference: number; current: number};

export interface DriftResult {
  column: string;
  test: "ks" | "chi2";
  /** null when one side has no values to compare. */
  statistic: number | null;
  p_value: number | null;
  drifted: boolean;
  reference_rows: number;
  current_rows: number;
  histogram?: DriftBin[];
}

export interface CheckReport {
  rows: number;
  /** Every expectation passed, warnings included (a failed `error` expectation throws instead). */
  passed: boolean;
  expectations: Expectation[];
  drift: DriftResult[];
}

/** Builds an expectation with its id derived from column and kind. */
export function expectation(
  column: string | null,
  kind: ExpectationKind,
  fields: Omit<Expectation, "id" | "column" | "kind">
): Expectation {
  return {id: `${column ?? "table"}.${kind}`, column, kind, ...fields};
}
