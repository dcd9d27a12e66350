import type {Classifier, FitOptions, Regressor} from "../../../../src/pipeline/ml/types.ts";

/** Predicts the most frequent training class (first on ties) with the training class shares as probabilities. */
export function majorityClassifier(seen: FitOptions[] = []): Classifier {
  let prior = new Float64Array(0);
  const best = () => prior.indexOf(Math.max(...prior));
  return {
    type: "majority",
    task: "classification",
    async fit(_X, y, options = {}) {
      await Promise.resolve(); // an async fit, to check that callers await it
      seen.push(options);
      prior = new Float64Array(options.nClasses ?? Math.max(...y) + 1);
      for (const c of y) prior[c] += 1 / y.length;
    },
    predictProba: (X) => Array.from(prior, (p) => new Float64Array(X.rows).fill(p)),
    predict: (X) => new Int32Array(X.rows).fill(best()),
    toJSON: () => ({type: "majority", task: "classification", params: {}, state: Array.from(prior)})
  };
}

/** Predicts the training mean. */
export function meanRegressor(): Regressor {
  let mean = 0;
  return {
    type: "mean",
    task: "regression",
    fit(_X, y) {
      mean = y.reduce((s, v) => s + v, 0) / y.length;
    },
    predict: (X) => new Float64Array(X.rows).fill(mean),
    toJSON: () => ({type: "mean", task: "regression", params: {}, state: mean})
  };
}
