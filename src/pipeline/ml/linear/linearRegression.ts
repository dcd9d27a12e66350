import {z} from "zod";
import {leastSquares} from "./leastSquares.ts";
import type {Features, ModelJSON, ModelSpec, Regressor} from "../types.ts";

export const linearRegressionParams = z
  .object({
    /** Fit an intercept by centring X and y first. Default true (sklearn). */
    fit_intercept: z.boolean().default(true)
  })
  .strict();

export type LinearRegressionParams = z.output<typeof linearRegressionParams>;

export const linearStateSchema = z.object({
  coef: z.array(z.number()),
  intercept: z.number()
});

export type LinearState = z.output<typeof linearStateSchema>;

/** What OLS and ridge share once fitted: coefficients, an intercept, prediction and (de)serialisation. */
export abstract class LinearRegressor<P extends Record<string, unknown>> implements Regressor {
  abstract readonly type: string;
  abstract readonly params: P;
  readonly task = "regression";
  private state: LinearState | undefined;
  private weights = new Float64Array(0);

  abstract fit(X: Features, y: Float64Array): void;

  predict(X: Features): Float64Array {
    return linearPredict(X, this.weights, this.fitted().intercept);
  }

  coefficients(): Float64Array[] {
    this.fitted();
    return [this.weights.slice()];
  }

  toJSON(): ModelJSON {
    return {type: this.type, task: this.task, params: {...this.params}, state: this.fitted()};
  }

  /** @internal Sets fitted state; used by fit and fromJSON. */
  restore(state: LinearState): void {
    this.state = state;
    this.weights = Float64Array.from(state.coef);
  }

  protected fitted(): LinearState {
    if (!this.state) throw new Error(`${this.type}: not fitted`);
    return this.state;
  }
}

/** Ordinary least squares like sklearn's `LinearRegression` (minimum-norm when rank deficient). */
export class LinearRegression extends LinearRegressor<LinearRegressionParams> {
  readonly type = "linear_regression";
  readonly params: LinearRegressionParams;

  constructor(params: z.input<typeof linearRegressionParams> = {}) {
    super();
    this.params = linearRegressionParams.parse(params);
  }

  fit(X: Features, y: Float64Array): void {
    checkRegression(X, y);
    const {cols, target, xMean, yMean} = centred(X, y, this.params.fit_intercept);
    const w = leastSquares(cols, X.rows, target);
    this.restore({coef: Array.from(w), intercept: interceptOf(w, xMean, yMean)});
  }
}

/** Column means and centred copies of X and y (plain copies, zero means, without an intercept). */
export function centred(
  X: Features,
  y: Float64Array,
  fitIntercept: boolean
): {cols: Float64Array[]; target: Float64Array; xMean: Float64Array; yMean: number} {
  const n = X.rows;
  const xMean = new Float64Array(X.cols.length);
  const cols = X.cols.map((c, j) => {
    const copy = c.slice(0, n);
    if (fitIntercept) xMean[j] = mean(copy);
    const m = xMean[j];
    if (m !== 0) for (let i = 0; i < n; ++i) copy[i] -= m;
    return copy;
  });
  const target = y.slice(0, n);
  const yMean = fitIntercept ? mean(target) : 0;
  if (yMean !== 0) for (let i = 0; i < n; ++i) target[i] -= yMean;
  return {cols, target, xMean, yMean};
}

/** sklearn's intercept: ȳ − x̄·w, so the centred fit passes through the means. */
export function interceptOf(w: Float64Array, xMean: Float64Array, yMean: number): number {
  let intercept = yMean;
  for (let j = 0; j < w.length; ++j) intercept -= xMean[j] * w[j];
  return intercept;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; ++i) s += a[i];
  return a.length ? s / a.length : 0;
}

export function linearPredict(X: Features, w: Float64Array, intercept: number): Float64Array {
  if (X.cols.length !== w.length) {
    throw new Error(`invalid X: ${X.cols.length} columns (expected ${w.length} as in fit)`);
  }
  const out = new Float64Array(X.rows).fill(intercept);
  for (let j = 0; j < w.length; ++j) {
    const col = X.cols[j];
    const wj = w[j];
    for (let i = 0; i < X.rows; ++i) out[i] += wj * col[i];
  }
  return out;
}

export function checkRegression(X: Features, y: Float64Array): void {
  if (y.length !== X.rows) throw new Error(`invalid y: length ${y.length} (expected ${X.rows} rows like X)`);
  if (X.rows === 0) throw new Error("invalid X: 0 rows (expected at least one)");
}

export const linearRegressionSpec: ModelSpec<LinearRegressionParams> = {
  type: "linear_regression",
  tasks: ["regression"],
  params: linearRegressionParams,
  create: (params) => new LinearRegression(params),
  fromJSON(json) {
    if (json.type !== "linear_regression") {
      throw new Error(`invalid type: ${json.type} (expected linear_regression)`);
    }
    const model = new LinearRegression(linearRegressionParams.parse(json.params));
    model.restore(linearStateSchema.parse(json.state));
    return model;
  }
};
