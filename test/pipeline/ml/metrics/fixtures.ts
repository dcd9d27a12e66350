import {readFileSync} from "node:fs";
import {expect} from "vitest";

interface ClassificationFixture {
  binary: {
    y_true: number[];
    y_score: number[];
    y_pred: number[];
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    roc_auc: number;
    log_loss: number;
    average_precision: number;
    confusion_matrix: number[][];
    // JSON has no Infinity: sklearn's leading +inf threshold is stored as null.
    roc_curve: {fpr: number[]; tpr: number[]; thresholds: (number | null)[]};
    pr_curve: {precision: number[]; recall: number[]; thresholds: number[]};
    balanced_accuracy: number;
    matthews_corrcoef: number;
  };
  multiclass: {
    y_true: number[];
    y_proba: number[][];
    y_pred: number[];
    accuracy: number;
    precision_macro: number;
    recall_macro: number;
    f1_macro: number;
    f1_weighted: number;
    f1_per_class: number[];
    roc_auc_ovr_macro: number;
    log_loss: number;
    confusion_matrix: number[][];
  };
}

interface RegressionFixture {
  y_true: number[];
  y_pred: number[];
  r2: number;
  mae: number;
  mse: number;
  rmse: number;
  median_ae: number;
  explained_variance: number;
  mape: number;
}

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/sklearn/${name}.json`, import.meta.url), "utf8"));

export const classification = read("metrics_classification") as ClassificationFixture;
export const regression = read("metrics_regression") as RegressionFixture;

/** The fixture's row-major probabilities as the per-class columns our metrics take. */
export function columns(rows: number[][]): Float64Array[] {
  return rows[0].map((_, k) => Float64Array.from(rows, (r) => r[k]));
}

/** Element-wise closeness of two numeric arrays, with the index in the failure message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; ++i) {
    const a = actual[i],
      e = expected[i];
    if (a === e) continue;
    expect(Math.abs(a - e), `at [${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(tol);
  }
}
