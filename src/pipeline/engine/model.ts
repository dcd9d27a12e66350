import {join, resolve} from "node:path";
import {z} from "zod";
import {ConfigError, DataError} from "../errors.ts";
import {argmax} from "../ml/bundle.ts";
import {modelSpec} from "../ml/registry.ts";
import type {
  Classifier,
  Estimator,
  EstimatorOptions,
  Features,
  FitOptions,
  ModelJSON,
  ModelSpec,
  Regressor,
  Task
} from "../ml/types.ts";
import type {ModuleSource} from "./moduleSource.ts";
import type {WorkspaceModule} from "./step.ts";
import {loadWorkspaceModule} from "./workspaceModule.ts";

/** What a model's `fit` is told besides its rows and params. */
export interface FitInfo {
  task: Task;
  /** Classes (0 … nClasses − 1) for a classifier. */
  nClasses?: number;
  /** Seeds every random choice the model makes (`train.seed`). */
  seed: number;
  /** Called with (done, total) units of work to show progress. */
  progress(done: number, total: number): void;
}

/**
 * A model of the user's own (`model: {type: ./models/knn.ts}`). It sees what the built-in models
 * see: the features after the fitted preprocessing, as columns (`X.cols[j][i]` is feature j of row
 * i, Float64Array, no missing values left), and y as class indices (0 … k−1) or values. Its
 * fitted state is JSON, so a bundle stays data.
 */
export interface ModelDefinition<P = Record<string, unknown>, M = unknown> {
  name: string;
  description?: string;
  /** The tasks it does. Default both. */
  tasks?: readonly Task[];
  /** Its params schema with defaults (`model.params` in the config). Default: no params. */
  params?: z.ZodType<P>;
  /** X and y are read-only: their arrays may be the data's own (copy before changing them). */
  fit(X: Features, y: Int32Array | Float64Array, params: P, info: FitInfo): M | Promise<M>;
  /** A class index per row (classification), or a value per row (regression). */
  predict(model: M, X: Features): ArrayLike<number>;
  /** One array per class of P(class | row); default: 1 for the predicted class. */
  predictProba?(model: M, X: Features): readonly ArrayLike<number>[];
  toJSON(model: M): unknown;
  fromJSON(json: unknown): M;
  /** One importance per feature (permutation importance is computed for every model anyway). */
  importances?(model: M): ArrayLike<number>;
}

const MODEL = Symbol.for("mlbook.model");

/** Declares a model of the user's own; its module default-exports the result. */
export function defineModel<P = Record<string, unknown>, M = unknown>(
  model: ModelDefinition<P, M>
): ModelDefinition<P, M> {
  return Object.assign(model, {[MODEL]: true});
}

/** Whether `model.type` names a module of the workspace rather than a built-in model. */
export function isModelModule(type: string): boolean {
  return /[\\/]|\.(ts|mts|js|mjs)$/.test(type);
}

/** The model definition a workspace module default-exports; an error naming what is wrong with it. */
export function workspaceModel(module: WorkspaceModule): ModelDefinition {
  const model = module.exports.default as ModelDefinition | undefined;
  const where = module.shown;
  if (!model || typeof model !== "object")
    throw new Error(`${where} has no default export (expected export default defineModel({...}))`);
  for (const fn of ["fit", "predict", "toJSON", "fromJSON"] as const)
    if (typeof model[fn] !== "function") throw new Error(`${where}: the model has no ${fn} function`);
  if (model.params && typeof (model.params as {safeParse?: unknown}).safeParse !== "function")
    throw new Error(`${where}: params must be a zod schema (import {z} from "mlbook")`);
  return model;
}

/** The spec of a built-in model, or of a workspace model module (already loaded). */
export function specOf(type: string, module?: WorkspaceModule): ModelSpec {
  if (!isModelModule(type)) return modelSpec(type);
  if (!module) throw new ConfigError(`model module ${type} was not loaded`);
  return userModelSpec(workspaceModel(module), module);
}

/** The spec of `model.type`: a built-in model, or a workspace module found from `base` (the config's folder). */
export async function loadModelSpec(type: string, base: string): Promise<ModelSpec> {
  if (!isModelModule(type)) return modelSpec(type);
  return specOf(type, await loadModule(type, base));
}

function loadModule(path: string, base: string): Promise<WorkspaceModule> {
  return loadWorkspaceModule(resolve(base, path), {base, cacheDir: join(base, ".mlbook", "modules")}).catch(
    (error: Error) => {
      throw new DataError(`the model needs its module ${path}: ${error.message}`, {cause: error});
    }
  );
}

/**
 * The spec a bundle's estimator needs: a built-in model, or its workspace module from `modules`
 * (workspaceModules(base): compiled in the workspace, refused when its code is not the code it
 * was fitted with).
 */
export async function specForBundle(estimator: ModelJSON, modules: ModuleSource): Promise<ModelSpec> {
  if (!estimator.module) return modelSpec(estimator.type);
  const module = await modules(estimator.module, "model module");
  return userModelSpec(workspaceModel(module), module);
}

/**
 * A workspace model as an estimator: its params validated, its predictions checked. Probabilities
 * a hair outside [0, 1] (rounding in user code) are clipped with a warning; anything else wrong
 * (NaN, a row too few, a class out of range) is an error naming the module.
 */
function userModelSpec(model: ModelDefinition, module: WorkspaceModule): ModelSpec {
  const tasks = model.tasks ?? (["classification", "regression"] as const);
  const params = (model.params ?? z.object({}).strict()) as z.ZodType<Record<string, unknown>>;
  const where = `model ${model.name} (${module.shown})`;
  const make = (
    task: Task,
    p: Record<string, unknown>,
    state: unknown,
    nClasses: number,
    options: EstimatorOptions
  ): Estimator => {
    let fitted = state;
    const json = (): ModelJSON => ({
      type: module.shown,
      task,
      params: p,
      state: model.toJSON(fitted),
      module: {path: module.shown, digest: module.digest}
    });
    const predictValues = (X: Features): ArrayLike<number> => {
      const out = model.predict(fitted, X);
      if (!out || out.length !== X.rows)
        throw new DataError(
          `${where}: predict returned ${out?.length ?? "nothing"} values for ${X.rows} rows`
        );
      return out;
    };
    const importances = model.importances && (() => Float64Array.from(model.importances!(fitted)));
    const fitInfo = (options: FitOptions | undefined, nClasses?: number): FitInfo => ({
      task,
      nClasses,
      seed: options?.seed ?? 0,
      progress: (done, total) => options?.onProgress?.(done, total)
    });
    if (task === "regression") {
      const regressor: Regressor = {
        type: module.shown,
        task,
        async fit(X, y, options) {
          fitted = await model.fit(X, y, p, fitInfo(options));
        },
        predict(X) {
          const values = Float64Array.from(predictValues(X));
          const bad = values.findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) throw new DataError(`${where}: predict returned ${values[bad]} for row ${bad + 1}`);
          return values;
        },
        toJSON: json,
        ...(importances ? {featureImportances: importances} : {})
      };
      return regressor;
    }
    let classes = nClasses;
    const classifier: Classifier = {
      type: module.shown,
      task,
      async fit(X, y, options) {
        classes = options?.nClasses ?? Math.max(...y) + 1;
        fitted = await model.fit(X, y, p, fitInfo(options, classes));
      },
      predict(X) {
        return argmax(this.predictProba(X), X.rows);
      },
      predictProba(X) {
        if (!model.predictProba) {
          const predicted = predictValues(X);
          const proba = Array.from({length: classes}, () => new Float64Array(X.rows));
          for (let i = 0; i < X.rows; ++i) {
            const c = predicted[i];
            if (!Number.isInteger(c) || c < 0 || c >= proba.length)
              throw new DataError(
                `${where}: predict returned ${c} for row ${i + 1} (expected a class index)`
              );
            proba[c][i] = 1;
          }
          return proba;
        }
        return checkedProba(model.predictProba(fitted, X), X.rows, classes, where, options.warn);
      },
      toJSON: () => ({...json(), state: {classes, model: model.toJSON(fitted)}}),
      ...(importances ? {featureImportances: importances} : {})
    };
    return classifier;
  };
  return {
    type: module.shown,
    tasks,
    params,
    create: (p, task, options = {}) => make(task, p, undefined, 0, options),
    fromJSON(json, options = {}) {
      if (json.task === "classification") {
        const state = json.state as {classes: number; model: unknown};
        return make(json.task, json.params, model.fromJSON(state.model), state.classes, options);
      }
      return make(json.task, json.params, model.fromJSON(json.state), 0, options);
    }
  };
}

/** Tolerance for probabilities outside [0, 1] that are only rounding. */
const HAIR = 1e-6;

function checkedProba(
  given: readonly ArrayLike<number>[],
  rows: number,
  classes: number,
  where: string,
  warn: ((message: string) => void) | undefined
): Float64Array[] {
  if (!Array.isArray(given) || (classes && given.length !== classes))
    throw new DataError(
      `${where}: predictProba returned ${Array.isArray(given) ? given.length : "no"} columns (expected one per class, ${classes})`
    );
  let clipped = 0;
  const out = given.map((column, k) => {
    if (!column || column.length !== rows)
      throw new DataError(
        `${where}: predictProba column ${k} has ${column?.length ?? 0} values for ${rows} rows`
      );
    const values = Float64Array.from(column);
    for (let i = 0; i < rows; ++i) {
      const v = values[i];
      if (v >= 0 && v <= 1) continue;
      if (!(v >= -HAIR && v <= 1 + HAIR))
        throw new DataError(
          `${where}: predictProba gave ${v} for row ${i + 1}, class ${k} (expected a probability in [0, 1])`
        );
      values[i] = v < 0 ? 0 : 1;
      clipped++;
    }
    return values;
  });
  for (let i = 0; i < rows; ++i) {
    let sum = 0;
    for (const column of out) sum += column[i];
    if (!(Math.abs(sum - 1) <= HAIR * out.length))
      throw new DataError(
        `${where}: predictProba's probabilities of row ${i + 1} sum to ${sum} (expected 1 over the classes)`
      );
  }
  if (clipped) warn?.(`${where}: ${clipped} probabilities a hair outside [0, 1] were clipped`);
  return out;
}
