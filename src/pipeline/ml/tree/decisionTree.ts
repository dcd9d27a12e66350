import {z} from "zod";
import {DataError} from "../../errors.ts";
import {createRng} from "../rng.ts";
import {buildTree, TreeWorkspace, type TreeTarget} from "./buildTree.ts";
import {
  argmaxRows,
  flatTreeFromJSON,
  flatTreeToJSON,
  treeValues,
  type FlatTree,
  type FlatTreeJSON
} from "./flatTree.ts";
import {prepareTreeData} from "./treeData.ts";
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
} from "./treeParams.ts";
import type {Classifier, Features, FitOptions, ModelJSON, ModelSpec, Regressor, Task} from "../types.ts";

export const decisionTreeParams = z
  .object({
    /** "gini" (default), "entropy" or "log_loss" for classification; "squared_error" for regression. */
    criterion: criterionParam,
    /** Depth limit; null (default) grows until leaves are pure or too small to split. */
    max_depth: maxDepthParam,
    /** Rows a node needs to be split (count, or fraction in (0, 1)). Default 2. */
    min_samples_split: minSamplesSplitParam,
    /** Rows each child keeps at least (count, or fraction in (0, 1)). Default 1. */
    min_samples_leaf: minSamplesLeafParam,
    /** Features tried per split: null (all, default), "sqrt", "log2", a count or a fraction. */
    max_features: maxFeaturesParam.default(null),
    /** Minimum weighted impurity decrease for a split. Default 0. */
    min_impurity_decrease: minImpurityDecreaseParam,
    /** Seed of the feature order drawn at each split (ties between equally good splits). Default 0. */
    seed: seedParam
  })
  .strict();

export type DecisionTreeParams = z.output<typeof decisionTreeParams>;

interface TreeState {
  features: number;
  classes: number;
  tree: FlatTreeJSON;
}

/** One CART tree fitted like sklearn's (float32 features, best splitter, depth-first growth). */
function fitFlatTree(
  params: DecisionTreeParams,
  task: Task,
  X: Features,
  target: TreeTarget,
  seed: number
): FlatTree {
  if (X.rows === 0) throw new DataError("invalid X: no rows (a tree needs at least one)");
  const data = prepareTreeData(X);
  const settings = resolveTreeSettings(params, task, X.rows, X.cols.length);
  return buildTree(new TreeWorkspace(data), target, settings, null, createRng(seed));
}

function checkType(json: ModelJSON, task: Task): void {
  if (json.type !== "decision_tree" || json.task !== task) {
    throw new Error(`invalid model: ${json.type} (${json.task}) (expected decision_tree (${task}))`);
  }
}

function checkRows(X: Features, n: number): void {
  if (X.rows !== n) throw new DataError(`invalid y: ${n} values for ${X.rows} rows`);
}

function checkFeatures(X: Features, features: number): void {
  if (X.cols.length !== features) {
    throw new DataError(`invalid X: ${X.cols.length} features (the tree was fitted on ${features})`);
  }
}

export class DecisionTreeClassifier implements Classifier {
  readonly type = "decision_tree";
  readonly task = "classification";
  readonly params: DecisionTreeParams;
  private tree: FlatTree | undefined;
  private features = 0;
  private classes = 0;

  constructor(params: z.input<typeof decisionTreeParams> = {}) {
    this.params = decisionTreeParams.parse(params);
    resolveCriterion(this.params.criterion, "classification");
  }

  fit(X: Features, y: Int32Array, options: FitOptions = {}): void {
    checkRows(X, y.length);
    let classes = options.nClasses ?? 0;
    for (let i = 0; i < y.length; ++i) {
      if (!(y[i] >= 0)) throw new DataError(`invalid y: ${y[i]} at row ${i} (expected a class index ≥ 0)`);
      if (options.nClasses === undefined) classes = Math.max(classes, y[i] + 1);
      else if (y[i] >= classes)
        throw new DataError(`invalid y: ${y[i]} at row ${i} (expected < ${classes} classes)`);
    }
    const seed = options.seed ?? this.params.seed;
    this.tree = fitFlatTree(this.params, "classification", X, {kind: "classification", y, classes}, seed);
    this.features = X.cols.length;
    this.classes = classes;
  }

  predictProba(X: Features): Float64Array[] {
    const tree = this.fitted();
    checkFeatures(X, this.features);
    return treeValues(tree, X);
  }

  predict(X: Features): Int32Array {
    return argmaxRows(this.predictProba(X), X.rows);
  }

  featureImportances(): Float64Array {
    return this.fitted().importances.slice();
  }

  /** Leaves of the fitted tree (sklearn's `get_n_leaves`). */
  leafCount(): number {
    return countLeaves(this.fitted());
  }

  toJSON(): ModelJSON {
    const state: TreeState = {
      features: this.features,
      classes: this.classes,
      tree: flatTreeToJSON(this.fitted())
    };
    return {type: this.type, task: this.task, params: {...this.params}, state};
  }

  static fromJSON(json: ModelJSON): DecisionTreeClassifier {
    checkType(json, "classification");
    const model = new DecisionTreeClassifier(json.params as z.input<typeof decisionTreeParams>);
    const state = json.state as TreeState;
    model.tree = flatTreeFromJSON(state.tree);
    model.features = state.features;
    model.classes = state.classes;
    return model;
  }

  private fitted(): FlatTree {
    if (!this.tree) throw new Error("DecisionTreeClassifier: call fit before predicting");
    return this.tree;
  }
}

export class DecisionTreeRegressor implements Regressor {
  readonly type = "decision_tree";
  readonly task = "regression";
  readonly params: DecisionTreeParams;
  private tree: FlatTree | undefined;
  private features = 0;

  constructor(params: z.input<typeof decisionTreeParams> = {}) {
    this.params = decisionTreeParams.parse(params);
    resolveCriterion(this.params.criterion, "regression");
  }

  fit(X: Features, y: Float64Array, options: FitOptions = {}): void {
    checkRows(X, y.length);
    for (let i = 0; i < y.length; ++i) {
      if (!Number.isFinite(y[i]))
        throw new DataError(`invalid y: ${y[i]} at row ${i} (expected a finite number)`);
    }
    const seed = options.seed ?? this.params.seed;
    this.tree = fitFlatTree(this.params, "regression", X, {kind: "regression", y}, seed);
    this.features = X.cols.length;
  }

  predict(X: Features): Float64Array {
    const tree = this.fitted();
    checkFeatures(X, this.features);
    return treeValues(tree, X)[0];
  }

  featureImportances(): Float64Array {
    return this.fitted().importances.slice();
  }

  leafCount(): number {
    return countLeaves(this.fitted());
  }

  toJSON(): ModelJSON {
    const state: TreeState = {features: this.features, classes: 1, tree: flatTreeToJSON(this.fitted())};
    return {type: this.type, task: this.task, params: {...this.params}, state};
  }

  static fromJSON(json: ModelJSON): DecisionTreeRegressor {
    checkType(json, "regression");
    const model = new DecisionTreeRegressor(json.params as z.input<typeof decisionTreeParams>);
    const state = json.state as TreeState;
    model.tree = flatTreeFromJSON(state.tree);
    model.features = state.features;
    return model;
  }

  private fitted(): FlatTree {
    if (!this.tree) throw new Error("DecisionTreeRegressor: call fit before predicting");
    return this.tree;
  }
}

function countLeaves(tree: FlatTree): number {
  let leaves = 0;
  for (let i = 0; i < tree.nodeCount; ++i) if (tree.left[i] < 0) ++leaves;
  return leaves;
}

export const decisionTreeSpec: ModelSpec<DecisionTreeParams> = {
  type: "decision_tree",
  tasks: ["classification", "regression"],
  params: decisionTreeParams as unknown as z.ZodType<DecisionTreeParams>,
  create: (params, task) =>
    task === "classification" ? new DecisionTreeClassifier(params) : new DecisionTreeRegressor(params),
  fromJSON: (json) =>
    json.task === "classification"
      ? DecisionTreeClassifier.fromJSON(json)
      : DecisionTreeRegressor.fromJSON(json)
};
