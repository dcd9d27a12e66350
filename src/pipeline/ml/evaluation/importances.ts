import {predictBundle, upgradeBundle, type ModelBundle} from "../bundle.ts";
import type {Estimator} from "../types.ts";
import {rollUp} from "../importance/rollUp.ts";
import {scoreByName, metricGoal} from "../metrics/index.ts";
import {createRng} from "../rng.ts";
import type {Table} from "../table.ts";

export interface Importances {
  /** Impurity-based (trees, forests, boosting), rolled up to input columns. */
  impurity?: {column: string; value: number}[];
  /** Linear models: the sum of |coefficient| over classes and one-hot parts, per input column. */
  coefficients?: {column: string; value: number}[];
  /**
   * Linear models: each coefficient with its sign, per model feature (one-hot parts apart) and per
   * class — the class whose log-odds it raises (one row for a binary model: its second class; null
   * for regression).
   */
  signedCoefficients?: {feature: string; class: string | null; value: number}[];
  /** Drop in the test score when one input column is shuffled: mean ± std over repeats. */
  permutation: {column: string; mean: number; std: number}[];
  metric: string;
  repeats: number;
  rows: number;
}

export interface PermutationOptions {
  metric: string;
  repeats: number;
  seed: number;
  /** Shuffle at most this many test rows (a seeded sample) to bound the cost. */
  maxRows: number;
}

/**
 * Importances reported against the input columns a user knows. Permutation importance shuffles
 * a raw input column and re-runs the whole bundle (transform + model), so one-hot parts move
 * together — exact for the source column, not an approximation summed from parts.
 */
export function importances(
  bundle: ModelBundle,
  estimator: Estimator,
  table: Table,
  truth: Int32Array | Float64Array,
  options: PermutationOptions
): Importances {
  const out: Importances = {permutation: [], metric: options.metric, repeats: options.repeats, rows: 0};
  const impurity = estimator.featureImportances?.();
  if (impurity) out.impurity = rollUp(impurity, bundle.featureNames, bundle.sourceColumn);
  const coef = estimator.coefficients?.();
  if (coef) {
    const total = new Float64Array(bundle.featureNames.length);
    for (const row of coef) for (let j = 0; j < total.length; ++j) total[j] += Math.abs(row[j]);
    out.coefficients = rollUp(total, bundle.featureNames, bundle.sourceColumn);
    const classOf = (i: number) =>
      bundle.classes.length === 0 ? null : coef.length === 1 ? bundle.classes.at(-1)! : bundle.classes[i];
    out.signedCoefficients = coef.flatMap((row, i) =>
      bundle.featureNames.map((feature, j) => ({feature, class: classOf(i), value: row[j]}))
    );
  }
  const rng = createRng(options.seed);
  const sample = sampleRows(table.rows, options.maxRows, rng);
  const rows = sample.length;
  out.rows = rows;
  const columns: Table["columns"] = {};
  for (const s of upgradeBundle(bundle).features) columns[s.name] = pick(table.columns[s.name], sample);
  const y =
    truth instanceof Int32Array
      ? Int32Array.from(sample, (i) => truth[i])
      : Float64Array.from(sample, (i) => truth[i]);
  const sign = metricGoal(options.metric) === "max" ? 1 : -1;
  const score = (t: Table) => {
    const p = predictBundle(bundle, t, estimator);
    return sign * scoreByName(options.metric, y, p.predicted, p.proba);
  };
  const base: Table = {rows, columns};
  const baseline = score(base);
  for (const s of upgradeBundle(bundle).features) {
    const drops: number[] = [];
    for (let r = 0; r < options.repeats; ++r) {
      const shuffled = rng.shuffle(Int32Array.from({length: rows}, (_, i) => i));
      const permuted = {rows, columns: {...columns, [s.name]: pick(columns[s.name], shuffled)}};
      drops.push(baseline - score(permuted));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / drops.length);
    out.permutation.push({column: s.name, mean, std});
  }
  out.permutation.sort((a, b) => b.mean - a.mean);
  return out;
}

function sampleRows(n: number, max: number, rng: ReturnType<typeof createRng>): Int32Array {
  const all = Int32Array.from({length: n}, (_, i) => i);
  if (n <= max) return all;
  return rng.shuffle(all).slice(0, max).sort();
}

function pick<T extends Float64Array | (string | null)[]>(column: T, rows: ArrayLike<number>): T {
  if (column instanceof Float64Array) return Float64Array.from(rows, (i) => column[i]) as T;
  return Array.from(rows, (i) => column[i]) as T;
}
