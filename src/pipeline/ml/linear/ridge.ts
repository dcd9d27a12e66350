import {CholeskyDecomposition, Matrix} from "ml-matrix";
import {z} from "zod";
import {leastSquares} from "./leastSquares.ts";
import {
  centred,
  checkRegression,
  interceptOf,
  LinearRegressor,
  linearStateSchema
} from "./linearRegression.ts";
import type {Features, ModelSpec} from "../types.ts";

export const ridgeParams = z
  .object({
    /** L2 strength: minimises ‖y − Xw − b‖² + alpha·‖w‖² (intercept not penalised). Default 1. */
    alpha: z.number().min(0).default(1),
    /** Fit an intercept by centring X and y first. Default true (sklearn). */
    fit_intercept: z.boolean().default(true)
  })
  .strict();

export type RidgeParams = z.output<typeof ridgeParams>;

/** Ridge regression like sklearn's `Ridge` with its dense "cholesky" solver. */
export class Ridge extends LinearRegressor<RidgeParams> {
  readonly type = "ridge";
  readonly params: RidgeParams;

  constructor(params: z.input<typeof ridgeParams> = {}) {
    super();
    this.params = ridgeParams.parse(params);
  }

  fit(X: Features, y: Float64Array): void {
    checkRegression(X, y);
    const {cols, target, xMean, yMean} = centred(X, y, this.params.fit_intercept);
    const p = cols.length;
    const a = new Matrix(p, p);
    const b = new Matrix(p, 1);
    for (let j = 0; j < p; ++j) {
      b.set(j, 0, dot(cols[j], target));
      for (let k = 0; k <= j; ++k) {
        const v = dot(cols[j], cols[k]);
        a.set(j, k, v);
        a.set(k, j, v);
      }
      a.set(j, j, a.get(j, j) + this.params.alpha);
    }
    const cholesky = new CholeskyDecomposition(a);
    // Singular only when alpha = 0 and X is rank deficient: sklearn then falls back to lstsq too.
    const w = cholesky.isPositiveDefinite()
      ? Float64Array.from(cholesky.solve(b).getColumn(0))
      : leastSquares(cols, X.rows, target);
    this.restore({coef: Array.from(w), intercept: interceptOf(w, xMean, yMean)});
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; ++i) s += a[i] * b[i];
  return s;
}

export const ridgeSpec: ModelSpec<RidgeParams> = {
  type: "ridge",
  tasks: ["regression"],
  params: ridgeParams,
  create: (params) => new Ridge(params),
  fromJSON(json) {
    if (json.type !== "ridge") throw new Error(`invalid type: ${json.type} (expected ridge)`);
    const model = new Ridge(ridgeParams.parse(json.params));
    model.restore(linearStateSchema.parse(json.state));
    return model;
  }
};
