import {
  explainedVariance,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2,
  rootMeanSquaredError
} from "./regression.ts";

export interface RegressionReport {
  n: number;
  r2: number;
  explainedVariance: number;
  mae: number;
  mse: number;
  rmse: number;
  medianAe: number;
  /** A fraction, not a percentage, as sklearn returns it. */
  mape: number;
}

/** Every regression metric at once, as plain JSON for a report page. */
export function regressionReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionReport {
  return {
    n: yTrue.length,
    r2: r2(yTrue, yPred),
    explainedVariance: explainedVariance(yTrue, yPred),
    mae: meanAbsoluteError(yTrue, yPred),
    mse: meanSquaredError(yTrue, yPred),
    rmse: rootMeanSquaredError(yTrue, yPred),
    medianAe: medianAbsoluteError(yTrue, yPred),
    mape: meanAbsolutePercentageError(yTrue, yPred)
  };
}
