import {fitHistGradientBoosting} from "./fitHistGradientBoosting.ts";
import type {HgbFit} from "./fitHistGradientBoosting.ts";
import {hgbImportances} from "./hgbImportances.ts";
import {hgbFitFromJSON, hgbFitToJSON} from "./hgbJSON.ts";
import type {HgbFitJSON} from "./hgbJSON.ts";
import {halfSquaredError} from "./hgbLoss.ts";
import {hgbRawPredict} from "./hgbRawPredict.ts";
import type {HistGradientBoostingParams} from "./histGradientBoostingParams.ts";
import type {Features, FitOptions, ModelJSON, Regressor} from "../types.ts";

/** sklearn's HistGradientBoostingRegressor with its default loss, squared error. */
export class HistGradientBoostingRegressor implements Regressor {
  readonly type = "hist_gradient_boosting";
  readonly task = "regression";
  private fitted: HgbFit | undefined;
  private nFeatures = 0;

  constructor(readonly params: HistGradientBoostingParams) {}

  fit(X: Features, y: Float64Array, options: FitOptions = {}): void {
    this.nFeatures = X.cols.length;
    this.fitted = fitHistGradientBoosting(X, y, halfSquaredError, this.params, {
      seed: options.seed ?? this.params.seed,
      threads: options.threads,
      onProgress: options.onProgress,
      validation: options.validation && {X: options.validation.X, y: Float64Array.from(options.validation.y)}
    });
  }

  /** Boosting iterations actually run (fewer than max_iter when early stopping kicked in). */
  get nIter(): number {
    return this.model().trees.length;
  }

  predict(X: Features): Float64Array {
    return hgbRawPredict(this.model(), X)[0];
  }

  featureImportances(): Float64Array {
    return hgbImportances(this.model(), this.nFeatures);
  }

  toJSON(): ModelJSON {
    const state: HgbFitJSON = hgbFitToJSON(this.model(), this.nFeatures);
    return {type: this.type, task: this.task, params: {...this.params}, state};
  }

  static fromState(params: HistGradientBoostingParams, state: unknown): HistGradientBoostingRegressor {
    const s = state as HgbFitJSON;
    const model = new HistGradientBoostingRegressor(params);
    model.fitted = hgbFitFromJSON(s);
    model.nFeatures = s.nFeatures;
    return model;
  }

  private model(): HgbFit {
    if (!this.fitted) throw new Error("hist_gradient_boosting: predict called before fit");
    return this.fitted;
  }
}
