/** The metrics a run reports in one flat record (what `--json` prints and tracking stores). */
export function headlineMetrics(metrics: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, v: unknown) => {
    if (typeof v === "number") out[name] = v;
  };
  if (metrics.task === "classification") {
    put("accuracy", metrics.accuracy);
    put("balanced_accuracy", metrics.balancedAccuracy);
    const macro = metrics.macro as Record<string, number> | undefined;
    put("precision_macro", macro?.precision);
    put("recall_macro", macro?.recall);
    put("f1_macro", macro?.f1);
    put("roc_auc", metrics.rocAuc);
    put("log_loss", metrics.logLoss);
  } else {
    put("r2", metrics.r2);
    put("rmse", metrics.rmse);
    put("mae", metrics.mae);
    put("mse", metrics.mse);
    put("median_ae", metrics.medianAe);
    put("explained_variance", metrics.explainedVariance);
    put("mape", metrics.mape);
  }
  // Cross-validated means on the training rows, as cv_<metric>: what a sweep should select on.
  const cv = metrics.cv as {mean?: Record<string, number>} | undefined;
  for (const [name, value] of Object.entries(cv?.mean ?? {})) put(`cv_${name}`, value);
  // The validation split's, as val_<metric>: the other choice a sweep may select on.
  const validation = metrics.validation as Record<string, unknown> | undefined;
  if (validation)
    for (const [name, value] of Object.entries(headlineMetrics({task: metrics.task, ...validation})))
      put(`val_${name}`, value);
  return out;
}

/** Headline metrics where smaller is better: a criterion on them is a ceiling, and a sort is lowest first. */
export const lowerIsBetter: ReadonlySet<string> = new Set([
  "log_loss",
  "rmse",
  "mae",
  "mse",
  "median_ae",
  "mape"
]);
