import type {Task} from "../types.ts";
import {f1Score, precisionScore, recallScore, type Average} from "./averaging.ts";
import {accuracy, balancedAccuracy, matthewsCorrcoef} from "./classification.ts";
import type {Labels, Proba} from "./labels.ts";
import {logLoss} from "./logLoss.ts";
import {averagePrecision, averagePrecisionOvr, rocAuc, rocAucOvr} from "./ranking.ts";
import {
  explainedVariance,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError
} from "./regression.ts";

interface MetricDef {
  task: Task;
  /** Larger is better for scores, smaller for losses and errors. */
  goal: "max" | "min";
  /** Whether the metric reads predicted probabilities rather than predicted labels or values. */
  proba: boolean;
  score(yTrue: Labels, yPred: Labels, proba: Proba): number;
}

const byLabels = (goal: MetricDef["goal"], f: (t: Labels, p: Labels) => number): MetricDef => ({
  task: "classification",
  goal,
  proba: false,
  score: (t, p) => f(t, p)
});
const byProba = (f: (t: Labels, p: Proba) => number): MetricDef => ({
  task: "classification",
  goal: "max",
  proba: true,
  score: (t, _p, proba) => f(t, proba)
});
const byValues = (goal: MetricDef["goal"], f: (t: Labels, p: Labels) => number): MetricDef => ({
  task: "regression",
  goal,
  proba: false,
  score: (t, p) => f(t, p)
});

const averaged: Record<string, MetricDef> = {};
for (const [name, f] of [
  ["precision", precisionScore],
  ["recall", recallScore],
  ["f1", f1Score]
] as const) {
  averaged[name] = byLabels("max", (t, p) => f(t, p, {average: "binary"}));
  for (const average of ["macro", "weighted", "micro"] as const satisfies Average[]) {
    averaged[`${name}_${average}`] = byLabels("max", (t, p) => f(t, p, {average}));
  }
}

// Names follow sklearn's scorer strings, except that losses keep their plain sign (log_loss, not
// neg_log_loss) and say so through `metricGoal`.
const METRICS: Record<string, MetricDef> = {
  accuracy: byLabels("max", accuracy),
  balanced_accuracy: byLabels("max", balancedAccuracy),
  matthews_corrcoef: byLabels("max", matthewsCorrcoef),
  ...averaged,
  roc_auc: byProba((t, p) => rocAuc(t, binaryScore("roc_auc", p))),
  roc_auc_ovr: byProba((t, p) => (p instanceof Float64Array ? rocAuc(t, p) : rocAucOvr(t, p, "macro"))),
  roc_auc_ovr_weighted: byProba((t, p) =>
    p instanceof Float64Array ? rocAuc(t, p) : rocAucOvr(t, p, "weighted")
  ),
  average_precision: byProba((t, p) =>
    p instanceof Float64Array ? averagePrecision(t, p) : averagePrecisionOvr(t, p, "macro")
  ),
  log_loss: {...byProba(logLoss), goal: "min"},
  r2: byValues("max", r2),
  explained_variance: byValues("max", explainedVariance),
  mae: byValues("min", meanAbsoluteError),
  mse: byValues("min", meanSquaredError),
  rmse: byValues("min", rootMeanSquaredError),
  median_ae: byValues("min", medianAbsoluteError),
  mape: byValues("min", meanAbsolutePercentageError)
};

/** Every name `scoreByName` accepts. */
export const metricNames: readonly string[] = Object.keys(METRICS);

function lookup(name: string): MetricDef {
  const def = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
  if (!def) throw new Error(`unknown metric: ${name} (expected one of ${metricNames.join(", ")})`);
  return def;
}

/** "max" when a larger value is better (accuracy, r2, roc_auc), "min" for losses and errors. */
export function metricGoal(name: string): "max" | "min" {
  return lookup(name).goal;
}

/** Which kind of model a metric scores. */
export function metricTask(name: string): Task {
  return lookup(name).task;
}

/** True when the metric needs `predictProba` output rather than `predict`. */
export function metricNeedsProba(name: string): boolean {
  return lookup(name).proba;
}

/**
 * Scores predictions by metric name, with its natural sign (log_loss and errors are positive;
 * see `metricGoal`). Classification metrics read class indices, regression metrics values;
 * probability metrics read `proba`, one column per class or the positive-class scores.
 */
export function scoreByName(name: string, yTrue: Labels, yPred: Labels, proba?: Proba): number {
  const def = lookup(name);
  if (def.proba && !proba) throw new Error(`metric ${name} needs predicted probabilities (proba)`);
  return def.score(yTrue, yPred, proba ?? new Float64Array(0));
}

function binaryScore(metric: string, proba: Proba): Float64Array {
  if (proba instanceof Float64Array) return proba;
  if (proba.length !== 2) {
    throw new Error(
      `metric ${metric} needs a binary target but got ${proba.length} probability columns (use roc_auc_ovr)`
    );
  }
  return proba[1];
}
