import {fitHistGradientBoosting} from "./fitHistGradientBoosting.ts";
import type {HgbFit} from "./fitHistGradientBoosting.ts";
import {hgbImportances} from "./hgbImportances.ts";
import {hgbFitFromJSON, hgbFitToJSON} from "./hgbJSON.ts";
import type {HgbFitJSON} from "./hgbJSON.ts";
import {halfBinomial, halfMultinomial, softmax} from "./hgbLoss.ts";
import {hgbRawPredict} from "./hgbRawPredict.ts";
import type {HistGradientBoostingParams} from "./histGradientBoostingParams.ts";
import type {Classifier, Features, FitOptions, ModelJSON} from "../types.ts";

interface ClassifierState extends HgbFitJSON {
  nClasses: number;
}

/**
 * sklearn's HistGradientBoostingClassifier: binary log-loss (one tree per iteration on the
 * log-odds) or, for more than two classes, softmax with one tree per class per iteration.
 */
export class HistGradientBoostingClassifier implements Classifier {
  readonly type = "hist_gradient_boosting";
  readonly task = "classification";
  private fitted: HgbFit | undefined;
  private nClasses = 0;
  private nFeatures = 0;

  constructor(readonly params: HistGradientBoostingParams) {}

  fit(X: Features, y: Int32Array, options: FitOptions = {}): void {
    let max = 0;
    for (let i = 0; i < y.length; ++i) if (y[i] > max) max = y[i];
    this.nClasses = options.nClasses ?? max + 1;
    this.nFeatures = X.cols.length;
    const loss = this.nClasses > 2 ? halfMultinomial(this.nClasses) : halfBinomial;
    this.fitted = fitHistGradientBoosting(X, Float64Array.from(y), loss, this.params, {
      seed: options.seed ?? this.params.seed,
      threads: options.threads,
      stratify: y,
      onProgress: options.onProgress,
      validation: options.validation && {X: options.validation.X, y: Float64Array.from(options.validation.y)}
    });
  }

  /** Boosting iterations actually run (fewer than max_iter when early stopping kicked in). */
  get nIter(): number {
    return this.model().trees.length;
  }

  /** Negative validation log-loss per iteration (sklearn's `validation_score_`). */
  get validationScore(): readonly number[] {
    return this.model().validationScore;
  }

  predictProba(X: Features): Float64Array[] {
    const raw = hgbRawPredict(this.model(), X);
    if (raw.length > 1) {
      const proba = raw.map(() => new Float64Array(X.rows));
      const p = new Float64Array(raw.length);
      for (let i = 0; i < X.rows; ++i) {
        softmax(raw, i, p);
        for (let k = 0; k < p.length; ++k) proba[k][i] = p[k];
      }
      return proba;
    }
    const p1 = raw[0].map((r) => 1 / (1 + Math.exp(-r)));
    const p0 = p1.map((p) => 1 - p);
    return this.nClasses === 1 ? [p0.fill(1)] : [p0, p1];
  }

  predict(X: Features): Int32Array {
    const raw = hgbRawPredict(this.model(), X);
    const out = new Int32Array(X.rows);
    if (raw.length === 1) {
      if (this.nClasses > 1) for (let i = 0; i < X.rows; ++i) out[i] = raw[0][i] > 0 ? 1 : 0;
      return out;
    }
    for (let i = 0; i < X.rows; ++i) {
      let best = 0;
      for (let k = 1; k < raw.length; ++k) if (raw[k][i] > raw[best][i]) best = k;
      out[i] = best;
    }
    return out;
  }

  featureImportances(): Float64Array {
    return hgbImportances(this.model(), this.nFeatures);
  }

  toJSON(): ModelJSON {
    const state: ClassifierState = {...hgbFitToJSON(this.model(), this.nFeatures), nClasses: this.nClasses};
    return {type: this.type, task: this.task, params: {...this.params}, state};
  }

  static fromState(params: HistGradientBoostingParams, state: unknown): HistGradientBoostingClassifier {
    const s = state as ClassifierState;
    const model = new HistGradientBoostingClassifier(params);
    model.fitted = hgbFitFromJSON(s);
    model.nClasses = s.nClasses;
    model.nFeatures = s.nFeatures;
    return model;
  }

  private model(): HgbFit {
    if (!this.fitted) throw new Error("hist_gradient_boosting: predict called before fit");
    return this.fitted;
  }
}
