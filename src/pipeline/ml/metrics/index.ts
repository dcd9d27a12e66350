// Metrics as pure functions of (y_true, y_pred | proba), each agreeing with scikit-learn.
export type {Labels, Proba} from "./labels.ts";

// Label metrics
export {accuracy, balancedAccuracy, matthewsCorrcoef} from "./classification.ts";
export {confusionMatrix} from "./confusionMatrix.ts";
export {
  f1Score,
  perClassScores,
  precisionRecallF1,
  precisionScore,
  recallScore,
  type Average,
  type AverageOptions,
  type PerClassScores,
  type PrecisionRecallF1
} from "./averaging.ts";

// Probability metrics and curves
export {logLoss} from "./logLoss.ts";
export {averagePrecision, averagePrecisionOvr, rocAuc, rocAucOvr, type OvrAverage} from "./ranking.ts";
export {precisionRecallCurve, rocCurve, type PrCurve, type RocCurve} from "./curves.ts";

// Regression metrics
export {
  explainedVariance,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError
} from "./regression.ts";

// Reports and lookup by name
export {classificationReport, type ClassificationReport, type ClassScores} from "./classificationReport.ts";
export {regressionReport, type RegressionReport} from "./regressionReport.ts";
export {metricGoal, metricNames, metricNeedsProba, metricTask, scoreByName} from "./scoreByName.ts";
