import {z} from "zod";
import {lbfgs} from "./lbfgs.ts";
import {logisticObjective} from "./logisticLoss.ts";
import {defaultThreads} from "../threads/defaultThreads.ts";
import type {Classifier, Features, FitOptions, ModelJSON, ModelSpec} from "../types.ts";

export const logisticRegressionParams = z
  .object({
    /** Inverse L2 strength: the objective is C·Σ lossᵢ + ½‖W‖². Default 1 (sklearn). */
    C: z.number().positive().default(1),
    /**
     * L-BFGS iteration limit. Default 1000, not sklearn's 100: we want sklearn's converged solution,
     * and 100 can stop short on badly scaled data.
     */
    max_iter: z.number().int().positive().default(1000),
    /**
     * Stop when max |∇| of the per-sample-averaged objective ≤ tol (sklearn's lbfgs `gtol`). Default
     * 1e-6, tighter than sklearn's 1e-4, which leaves coefficients ~1e-3 short of the optimum.
     */
    tol: z.number().positive().default(1e-6),
    /** null: every row weighs 1; "balanced": rows of class k weigh n / (classes · count_k). */
    class_weight: z.literal("balanced").nullable().default(null),
    /** Fit an unpenalised intercept per class. Default true. */
    fit_intercept: z.boolean().default(true)
  })
  .strict();

export type LogisticRegressionParams = z.output<typeof logisticRegressionParams>;

const stateSchema = z.object({
  classes: z.number().int().min(2),
  coef: z.array(z.array(z.number())).min(1),
  intercept: z.array(z.number()).min(1),
  iterations: z.number().int().min(0)
});

type State = z.output<typeof stateSchema>;

/**
 * L2-penalised logistic regression fitted like sklearn's `LogisticRegression(solver="lbfgs")`:
 * binary problems use one coefficient vector and the sigmoid, more classes the full multinomial
 * (softmax over one vector per class).
 */
export class LogisticRegression implements Classifier {
  readonly type = "logistic_regression";
  readonly task = "classification";
  readonly params: LogisticRegressionParams;
  /** L-BFGS iterations of the last fit; with `converged` so callers can warn like sklearn. */
  iterations = 0;
  converged = false;
  private state: State | undefined;
  private weights: Float64Array[] = [];
  private bias = new Float64Array(0);

  constructor(params: z.input<typeof logisticRegressionParams> = {}) {
    this.params = logisticRegressionParams.parse(params);
  }

  /**
   * Deterministic: no randomness (`seed` is unused), and the passes over the rows share out fixed
   * row chunks to `threads` threads (default: one per core) whose sums add up in chunk order, so
   * the same data gives bit-identical coefficients on any thread count. `onProgress` ticks once
   * per L-BFGS iteration.
   */
  fit(X: Features, y: Int32Array, options: FitOptions = {}): void {
    checkShape(X, y.length);
    const classes = options.nClasses ?? maxOf(y) + 1;
    if (!(classes >= 2)) throw new Error(`invalid nClasses: ${classes} (expected at least 2 classes)`);
    const counts = new Float64Array(classes);
    for (let i = 0; i < y.length; ++i) {
      const c = y[i];
      if (!(c >= 0 && c < classes)) {
        throw new Error(`invalid y: ${c} at row ${i} (expected a class index in 0..${classes - 1})`);
      }
      ++counts[c];
    }
    const {C, max_iter, tol, class_weight, fit_intercept} = this.params;
    const classWeight = new Float64Array(classes).fill(1);
    if (class_weight === "balanced") {
      // sklearn's compute_class_weight counts only the classes present in y.
      const present = counts.filter((c) => c > 0).length;
      for (let k = 0; k < classes; ++k) if (counts[k] > 0) classWeight[k] = y.length / (present * counts[k]);
    }
    const p = X.cols.length;
    const stride = p + (fit_intercept ? 1 : 0);
    const vectors = classes === 2 ? 1 : classes;
    const {objective, close} = logisticObjective({
      X,
      y,
      classWeight,
      classes,
      fitIntercept: fit_intercept,
      C,
      threads: options.threads ?? defaultThreads()
    });
    let result;
    try {
      result = lbfgs(objective, new Float64Array(vectors * stride), {
        maxIter: max_iter,
        gtol: tol,
        onIteration: options.onProgress
      });
    } finally {
      close();
    }
    const coef: number[][] = [];
    const intercept: number[] = [];
    for (let k = 0; k < vectors; ++k) {
      coef.push(Array.from(result.x.subarray(k * stride, k * stride + p)));
      intercept.push(fit_intercept ? result.x[k * stride + p] : 0);
    }
    this.iterations = result.iterations;
    this.converged = result.converged;
    this.restore({classes, coef, intercept, iterations: result.iterations});
  }

  predictProba(X: Features): Float64Array[] {
    const scores = this.decisionFunction(X);
    if (scores.length === 1) {
      const s = scores[0];
      const p0 = new Float64Array(X.rows);
      const p1 = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; ++i) {
        const p = 1 / (1 + Math.exp(-s[i]));
        p1[i] = p;
        p0[i] = 1 - p;
      }
      return [p0, p1];
    }
    const k = scores.length;
    for (let i = 0; i < X.rows; ++i) {
      let max = -Infinity;
      for (let c = 0; c < k; ++c) max = Math.max(max, scores[c][i]);
      let sum = 0;
      for (let c = 0; c < k; ++c) {
        const e = Math.exp(scores[c][i] - max);
        scores[c][i] = e;
        sum += e;
      }
      for (let c = 0; c < k; ++c) scores[c][i] /= sum;
    }
    return scores;
  }

  predict(X: Features): Int32Array {
    const scores = this.decisionFunction(X);
    const out = new Int32Array(X.rows);
    if (scores.length === 1) {
      const s = scores[0];
      for (let i = 0; i < X.rows; ++i) out[i] = s[i] > 0 ? 1 : 0;
      return out;
    }
    for (let i = 0; i < X.rows; ++i) {
      let best = 0;
      for (let c = 1; c < scores.length; ++c) if (scores[c][i] > scores[best][i]) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Linear scores, one array per coefficient vector (a single one for binary problems). */
  decisionFunction(X: Features): Float64Array[] {
    const state = this.fitted();
    checkShape(X, X.rows, state.coef[0].length);
    return this.weights.map((w, k) => {
      const out = new Float64Array(X.rows).fill(this.bias[k]);
      for (let j = 0; j < w.length; ++j) {
        const col = X.cols[j];
        const wj = w[j];
        for (let i = 0; i < X.rows; ++i) out[i] += wj * col[i];
      }
      return out;
    });
  }

  coefficients(): Float64Array[] {
    this.fitted();
    return this.weights.map((w) => w.slice());
  }

  intercepts(): Float64Array {
    this.fitted();
    return this.bias.slice();
  }

  toJSON(): ModelJSON {
    return {type: this.type, task: this.task, params: {...this.params}, state: this.fitted()};
  }

  /** @internal Sets fitted state; used by fit and fromJSON. */
  restore(state: State): void {
    const p = state.coef[0].length;
    const vectors = state.classes === 2 ? 1 : state.classes;
    if (
      state.coef.length !== vectors ||
      state.intercept.length !== vectors ||
      state.coef.some((r) => r.length !== p)
    ) {
      throw new Error(
        `invalid state: ${state.coef.length} coefficient rows (expected ${vectors} of length ${p})`
      );
    }
    this.state = state;
    this.weights = state.coef.map((row) => Float64Array.from(row));
    this.bias = Float64Array.from(state.intercept);
    this.iterations = state.iterations;
  }

  private fitted(): State {
    if (!this.state) throw new Error("logistic_regression: not fitted");
    return this.state;
  }
}

function checkShape(X: Features, rows: number, features?: number): void {
  if (X.rows !== rows) throw new Error(`invalid y: length ${rows} (expected ${X.rows} rows like X)`);
  if (features !== undefined && X.cols.length !== features) {
    throw new Error(`invalid X: ${X.cols.length} columns (expected ${features} as in fit)`);
  }
  for (let j = 0; j < X.cols.length; ++j) {
    if (X.cols[j].length < X.rows) {
      throw new Error(`invalid X: column ${j} has ${X.cols[j].length} values (expected ${X.rows})`);
    }
  }
}

function maxOf(y: Int32Array): number {
  let m = -1;
  for (let i = 0; i < y.length; ++i) if (y[i] > m) m = y[i];
  return m;
}

export const logisticRegressionSpec: ModelSpec<LogisticRegressionParams> = {
  type: "logistic_regression",
  tasks: ["classification"],
  params: logisticRegressionParams,
  create: (params) => new LogisticRegression(params),
  fromJSON(json) {
    if (json.type !== "logistic_regression") {
      throw new Error(`invalid type: ${json.type} (expected logistic_regression)`);
    }
    const model = new LogisticRegression(logisticRegressionParams.parse(json.params));
    model.restore(stateSchema.parse(json.state));
    return model;
  }
};
