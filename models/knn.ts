import {defineModel, z, type Features} from "mlbook";

interface Knn {
  k: number;
  /** Training rows, row-major: rows × features. */
  X: number[];
  features: number;
  y: number[];
  task: "classification" | "regression";
  classes: number;
}

/**
 * A workspace model: k-nearest neighbours (scikit-learn's KNeighborsRegressor / Classifier with
 * uniform weights and Euclidean distance, brute force). It sees the features after the fitted
 * preprocessing (imputed, scaled, one-hot encoded), so distances are between standardized rows.
 */
export default defineModel({
  name: "knn",
  description: "k-nearest neighbours, uniform weights",
  params: z
    .object({
      /** Neighbours to average (regression) or vote (classification). Default 5. */
      n_neighbors: z.number().int().min(1).default(5)
    })
    .strict(),
  fit(X, y, params, info): Knn {
    return {
      k: Math.min(params.n_neighbors, X.rows),
      X: rowMajor(X),
      features: X.cols.length,
      y: Array.from(y),
      task: info.task,
      classes: info.nClasses ?? 0
    };
  },
  predict(model, X) {
    if (model.task === "classification") return vote(model, X).map((p) => p.indexOf(Math.max(...p)));
    return neighbours(model, X).map((idx) => idx.reduce((sum, i) => sum + model.y[i], 0) / idx.length);
  },
  predictProba(model, X) {
    const votes = vote(model, X);
    return Array.from({length: model.classes}, (_, c) => votes.map((p) => p[c]));
  },
  toJSON: (model) => model,
  fromJSON: (json) => json as Knn
});

function rowMajor(X: Features): number[] {
  const out = new Array<number>(X.rows * X.cols.length);
  for (let j = 0; j < X.cols.length; ++j)
    for (let i = 0; i < X.rows; ++i) out[i * X.cols.length + j] = X.cols[j][i];
  return out;
}

/** Each row's k nearest training rows (ties: the earlier training row first, as a stable sort gives). */
function neighbours(model: Knn, X: Features): number[][] {
  const n = model.y.length;
  const out: number[][] = [];
  const distance = new Float64Array(n);
  for (let i = 0; i < X.rows; ++i) {
    for (let t = 0; t < n; ++t) {
      let d = 0;
      for (let j = 0; j < model.features; ++j) {
        const diff = X.cols[j][i] - model.X[t * model.features + j];
        d += diff * diff;
      }
      distance[t] = d;
    }
    const order = Array.from({length: n}, (_, t) => t).sort((a, b) => distance[a] - distance[b] || a - b);
    out.push(order.slice(0, model.k));
  }
  return out;
}

/** Each row's share of neighbour votes per class. */
function vote(model: Knn, X: Features): number[][] {
  return neighbours(model, X).map((idx) => {
    const p = new Array<number>(model.classes).fill(0);
    for (const i of idx) p[model.y[i]] += 1 / idx.length;
    return p;
  });
}
