import type {CheckReport} from "../pipeline/steps/checks/report.ts";

/** A run's data checks in brief: how many, which failed (warnings included), which columns drifted. */
export interface ChecksBrief {
  expectations: number;
  failed: {message: string; severity: string}[];
  drifted: string[];
}

/** The brief of a check report, or null for a pipeline without a check step. */
export function checksBrief(report: CheckReport | undefined): ChecksBrief | null {
  if (!report) return null;
  return {
    expectations: report.expectations.length,
    failed: report.expectations
      .filter((e) => !e.passed)
      .map((e) => ({message: e.message, severity: e.severity})),
    drifted: report.drift.filter((d) => d.drifted).map((d) => d.column)
  };
}
