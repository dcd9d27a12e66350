import {availableParallelism} from "node:os";
import {z} from "zod";
import {DataError} from "../../errors.ts";
import {
  addTreeValues,
  argmaxRows,
  flatTreeFromJSON,
  flatTreeToJSON,
  TREE_LEAF,
  type FlatTree,
  type FlatTreeJSON
} from "../tree/flatTree.ts";
import {outOfBagRows, treeSeeds, type ForestTreeJob} from "./forestTree.ts";
import {trainForest} from "./trainForest.ts";
import {prepareTreeData} from "../tree/treeData.ts";
import {
  criterionParam,
  maxDepthParam,
  maxFeaturesParam,
  minImpurityDecreaseParam,
  minSamplesLeafParam,
  minSamplesSplitParam,
  resolveCriterion,
  resolveTreeSettings,
  seedParam
} from "../tree/treeParams.ts";
import type {Classifier, Features, FitOptions, ModelJSON, ModelSpec, Regressor, Task} from "../types.ts";

export const randomForestParams = z
  .object({
    /** Trees in the forest. Default 100. */
    n_estimators: z.number().int().min(1).default(100),
    /** "gini" (default), "entropy" or "log_loss" for classification; "squared_error" for regression. */
    criterion: criterionParam,
    /** Depth limit per tree; null (default) grows until leaves are pure or too small. */
    max_depth: maxDepthParam,
    /** Rows a node needs to be split (count, or fraction in (0, 1)). Default 2. */
    min_samples_split: minSamplesSplitParam,
    /** Rows each child keeps at least (count, or fraction in (0, 1)). Default 1. */
    min_samples_leaf: minSamplesLeafParam,
    /**
     * Features drawn at each split (not per tree): "sqrt", "log2", null (all), a count or a
     * fraction. Default "sqrt" for classification and null (all, sklearn's 1.0) for regression.
     */
    max_features: maxFeaturesParam.optional(),
    /** Minimum weighted impurity decrease for a split. Default 0. */
    min_impurity_decrease: minImpurityDecreaseParam,
    /** Grow each tree on a bootstrap sample (as row counts used as weights). Default true. */
    bootstrap: z.boolean().default(true),
    /** Score each row with the trees that did not see it: accuracy or R². Default false. */
    oob_score: z.boolean().default(false),
    /**
     * Worker threads (-1: one per core); null means 1. The fit option `threads` wins. Results do
     * not depend on it, so it does not belong in a model's identity.
     */
    n_jobs: z
      .number()
      .int()
      .refine((v) => v === -1 || v >= 1, "-1 or a thread count ≥ 1")
      .nullable()
      .default(null),
    /** Seed of the bootstraps and feature draws; the fit option `seed` wins when given. Default 0. */
    seed: seedParam
  })
  .strict()
  .refine((p) => !p.oob_score || p.bootstrap, {
    message: "oob_score needs bootstrap: true",
    path: ["oob_score"]
  });

export type RandomForestParams = z.output<typeof randomForestParams>;

/** Params that change neither the trees nor their predictions (left out of a model's identity). */
export const randomForestRuntimeParams: readonly string[] = ["n_jobs"];

interface ForestState {
  features: number;
  classes: number;
  oobScore: number | null;
  trees: FlatTreeJSON[];
}

/** What both forests share: fitting many trees on one presorted float32 copy of X. */
abstract class Forest {
  abstract readonly task: Task;
  readonly params: RandomForestParams;
  /** Out-of-bag accuracy (classifier) or R² (regressor) when `oob_score` was set. */
  oobScore: number | null = null;
  protected trees: FlatTree[] = [];
  protected features = 0;
  protected classes = 1;

  constructor(params: z.input<typeof randomForestParams>, task: Task) {
    this.params = randomForestParams.parse(params);
    resolveCriterion(this.params.criterion, task);
  }

  protected fitForest(
    X: Features,
    job: ForestTreeJob,
    options: FitOptions,
    y: ArrayLike<number>
  ): void | Promise<void> {
    const threads = resolveThreads(options.threads ?? this.params.n_jobs);
    const data = prepareTreeData(X, threads > 1);
    const seeds = treeSeeds(options.seed ?? this.params.seed, this.params.n_estimators);
    const finish = (trees: FlatTree[]) => {
      this.trees = trees;
      this.features = X.cols.length;
      this.oobScore = this.params.oob_score ? this.computeOobScore(X, seeds, y) : null;
    };
    const trees = trainForest(data, job, seeds, {threads, onProgress: options.onProgress});
    if (trees instanceof Promise) return trees.then(finish);
    finish(trees);
  }

  protected settingsFor(X: Features, task: Task) {
    const maxFeatures =
      this.params.max_features === undefined
        ? task === "classification"
          ? "sqrt"
          : null
        : this.params.max_features;
    return resolveTreeSettings({...this.params, max_features: maxFeatures}, task, X.rows, X.cols.length);
  }

  /** sklearn's `_compute_oob_predictions`: sum each tree's values over its unseen rows, then average. */
  private computeOobScore(X: Features, seeds: Uint32Array, y: ArrayLike<number>): number {
    const rows = X.rows;
    const K = this.classes;
    const sums = new Float64Array(rows * K);
    const counts = new Int32Array(rows);
    for (let t = 0; t < this.trees.length; ++t) {
      const tree = this.trees[t];
      const {feature, threshold, left, right, value} = tree;
      for (const i of outOfBagRows(seeds[t], rows)) {
        let node = 0;
        while (left[node] !== TREE_LEAF) {
          node = Math.fround(X.cols[feature[node]][i]) <= threshold[node] ? left[node] : right[node];
        }
        for (let k = 0; k < K; ++k) sums[i * K + k] += value[node * K + k];
        ++counts[i];
      }
    }
    for (let i = 0; i < rows; ++i) {
      const c = counts[i] === 0 ? 1 : counts[i];
      for (let k = 0; k < K; ++k) sums[i * K + k] /= c;
    }
    return this.scoreOob(sums, y);
  }

  protected abstract scoreOob(oob: Float64Array, y: ArrayLike<number>): number;

  /** Sum of tree values per output, divided by the tree count (sklearn adds, then divides). */
  protected averageValues(X: Features): Float64Array[] {
    if (this.trees.length === 0) throw new Error(`random forest: call fit before predicting`);
    if (X.cols.length !== this.features) {
      throw new DataError(`invalid X: ${X.cols.length} features (the forest was fitted on ${this.features})`);
    }
    const out = Array.from({length: this.classes}, () => new Float64Array(X.rows));
    for (const tree of this.trees) addTreeValues(tree, X, out);
    for (const o of out) for (let i = 0; i < o.length; ++i) o[i] /= this.trees.length;
    return out;
  }

  /** Mean of the per-tree normalised importances over trees that split at all, renormalised. */
  featureImportances(): Float64Array {
    const mean = new Float64Array(this.features);
    let used = 0;
    for (const tree of this.trees) {
      if (tree.nodeCount <= 1) continue;
      ++used;
      for (let j = 0; j < this.features; ++j) mean[j] += tree.importances[j];
    }
    if (used === 0) return mean;
    let total = 0;
    for (let j = 0; j < this.features; ++j) total += mean[j] /= used;
    for (let j = 0; j < this.features; ++j) mean[j] /= total;
    return mean;
  }

  /** The number of trees (sklearn's `len(estimators_)`). */
  get treeCount(): number {
    return this.trees.length;
  }

  protected state(): ForestState {
    return {
      features: this.features,
      classes: this.classes,
      oobScore: this.oobScore,
      trees: this.trees.map(flatTreeToJSON)
    };
  }

  protected restore(state: ForestState): void {
    if (!Array.isArray(state.trees) || state.trees.length === 0)
      throw new Error("invalid random forest state: no trees");
    this.trees = state.trees.map((tree, i) => flatTreeFromJSON(tree, `trees[${i}]`));
    this.features = state.features;
    this.classes = state.classes;
    this.oobScore = state.oobScore;
  }
}

function checkType(json: ModelJSON, task: Task): void {
  if (json.type !== "random_forest" || json.task !== task) {
    throw new Error(`invalid model: ${json.type} (${json.task}) (expected random_forest (${task}))`);
  }
}

function resolveThreads(threads: number | null | undefined): number {
  if (threads === null || threads === undefined) return 1;
  return threads === -1 ? availableParallelism() : Math.max(1, threads);
}

export class RandomForestClassifier extends Forest implements Classifier {
  readonly type = "random_forest";
  readonly task = "classification";

  constructor(params: z.input<typeof randomForestParams> = {}) {
    super(params, "classification");
  }

  fit(X: Features, y: Int32Array, options: FitOptions = {}): void | Promise<void> {
    if (X.rows !== y.length) throw new DataError(`invalid y: ${y.length} values for ${X.rows} rows`);
    if (X.rows === 0) throw new DataError("invalid X: no rows (a forest needs at least one)");
    let classes = options.nClasses ?? 0;
    for (let i = 0; i < y.length; ++i) {
      if (!(y[i] >= 0)) throw new DataError(`invalid y: ${y[i]} at row ${i} (expected a class index ≥ 0)`);
      if (options.nClasses === undefined) classes = Math.max(classes, y[i] + 1);
      else if (y[i] >= classes)
        throw new DataError(`invalid y: ${y[i]} at row ${i} (expected < ${classes} classes)`);
    }
    this.classes = classes;
    const job: ForestTreeJob = {
      target: {kind: "classification", y, classes},
      settings: this.settingsFor(X, "classification"),
      bootstrap: this.params.bootstrap
    };
    return this.fitForest(X, job, options, y);
  }

  /** Mean over trees of each tree's leaf class fractions. */
  predictProba(X: Features): Float64Array[] {
    return this.averageValues(X);
  }

  predict(X: Features): Int32Array {
    return argmaxRows(this.predictProba(X), X.rows);
  }

  protected scoreOob(oob: Float64Array, y: ArrayLike<number>): number {
    const K = this.classes;
    let correct = 0;
    for (let i = 0; i < y.length; ++i) {
      let arg = 0;
      for (let k = 1; k < K; ++k) if (oob[i * K + k] > oob[i * K + arg]) arg = k;
      if (arg === y[i]) ++correct;
    }
    return correct / y.length;
  }

  toJSON(): ModelJSON {
    return {type: this.type, task: this.task, params: {...this.params}, state: this.state()};
  }

  static fromJSON(json: ModelJSON): RandomForestClassifier {
    checkType(json, "classification");
    const model = new RandomForestClassifier(json.params as z.input<typeof randomForestParams>);
    model.restore(json.state as ForestState);
    return model;
  }
}

export class RandomForestRegressor extends Forest implements Regressor {
  readonly type = "random_forest";
  readonly task = "regression";

  constructor(params: z.input<typeof randomForestParams> = {}) {
    super(params, "regression");
  }

  fit(X: Features, y: Float64Array, options: FitOptions = {}): void | Promise<void> {
    if (X.rows !== y.length) throw new DataError(`invalid y: ${y.length} values for ${X.rows} rows`);
    if (X.rows === 0) throw new DataError("invalid X: no rows (a forest needs at least one)");
    for (let i = 0; i < y.length; ++i) {
      if (!Number.isFinite(y[i]))
        throw new DataError(`invalid y: ${y[i]} at row ${i} (expected a finite number)`);
    }
    this.classes = 1;
    const job: ForestTreeJob = {
      target: {kind: "regression", y},
      settings: this.settingsFor(X, "regression"),
      bootstrap: this.params.bootstrap
    };
    return this.fitForest(X, job, options, y);
  }

  /** Mean of the trees' leaf means. */
  predict(X: Features): Float64Array {
    return this.averageValues(X)[0];
  }

  /** sklearn's r2_score of the out-of-bag means (rows no tree left out count as predicted 0). */
  protected scoreOob(oob: Float64Array, y: ArrayLike<number>): number {
    const n = y.length;
    let mean = 0;
    for (let i = 0; i < n; ++i) mean += y[i];
    mean /= n;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < n; ++i) {
      ssRes += (y[i] - oob[i]) ** 2;
      ssTot += (y[i] - mean) ** 2;
    }
    if (ssTot === 0) return ssRes === 0 ? 1 : 0;
    return 1 - ssRes / ssTot;
  }

  toJSON(): ModelJSON {
    return {type: this.type, task: this.task, params: {...this.params}, state: this.state()};
  }

  static fromJSON(json: ModelJSON): RandomForestRegressor {
    checkType(json, "regression");
    const model = new RandomForestRegressor(json.params as z.input<typeof randomForestParams>);
    model.restore(json.state as ForestState);
    return model;
  }
}

export const randomForestSpec: ModelSpec<RandomForestParams> = {
  type: "random_forest",
  tasks: ["classification", "regression"],
  params: randomForestParams as unknown as z.ZodType<RandomForestParams>,
  create: (params, task) =>
    task === "classification" ? new RandomForestClassifier(params) : new RandomForestRegressor(params),
  fromJSON: (json) =>
    json.task === "classification"
      ? RandomForestClassifier.fromJSON(json)
      : RandomForestRegressor.fromJSON(json)
};
