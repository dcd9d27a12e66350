import {createRng} from "../rng.ts";
import {binColumn, fitBinMapper, MISSING_BIN} from "./binMapper.ts";
import {growTree} from "./growTree.ts";
import type {GrowData, GrowParams} from "./growTree.ts";
import type {HgbLoss} from "./hgbLoss.ts";
import type {HgbTree} from "./hgbTree.ts";
import type {HistGradientBoostingParams} from "./histGradientBoostingParams.ts";
import type {Features} from "../types.ts";
import {defaultThreads} from "../threads/defaultThreads.ts";
import {MAX_THREADS} from "./hgbTask.ts";
import {HgbTeam} from "./hgbTeam.ts";
import {HgbWorkspace} from "./hgbWorkspace.ts";
import {validationSplit} from "./validationSplit.ts";

/** What a fit leaves behind: enough to predict, plus sklearn's score traces. */
export interface HgbFit {
  /** Raw prediction before any tree, one per tree of an iteration. */
  baseline: Float64Array;
  /** trees[iteration][k]: k-th tree (class) of each boosting iteration. */
  trees: HgbTree[][];
  /** Negative mean loss per iteration, starting before the first tree (when early stopping). */
  trainScore: number[];
  validationScore: number[];
}

/** Fewer training rows than this are fitted on one thread: starting helpers would cost more. */
export const MIN_THREADED_ROWS = 100_000;

export interface HgbFitOptions {
  seed: number;
  /** Threads sharing the work (default: defaultThreads()); the trees are the same for any. */
  threads?: number;
  /** Rows from which helper threads are used (tests lower it). */
  minThreadedRows?: number;
  /** Class of each row, for a stratified validation split (classifiers). */
  stratify?: Int32Array;
  /**
   * Held-out rows to stop early on (sklearn ≥ 1.6's `fit(X_val=…, y_val=…)`): used instead of
   * holding out `validation_fraction` of the training rows.
   */
  validation?: {X: Features; y: Float64Array};
  onProgress?: (done: number, total: number) => void;
}

/**
 * The boosting loop of sklearn's `BaseHistGradientBoosting.fit`: bin the training rows, start
 * from the baseline, then each iteration fit one tree per output to the loss gradients, stopping
 * early when the validation loss has not improved by `tol` for `n_iter_no_change` iterations.
 */
export function fitHistGradientBoosting(
  X: Features,
  y: Float64Array,
  loss: HgbLoss,
  params: HistGradientBoostingParams,
  {
    seed,
    stratify,
    onProgress,
    validation: external,
    threads = defaultThreads(),
    minThreadedRows = MIN_THREADED_ROWS
  }: HgbFitOptions
): HgbFit {
  const rng = createRng(seed);
  const splitRng = rng.fork();
  const binRng = rng.fork();
  const n = X.rows;
  const earlyStopping = params.early_stopping === "auto" ? n > 10_000 : params.early_stopping;
  const useValidation = earlyStopping && (external !== undefined || params.validation_fraction !== null);
  const split =
    useValidation && !external
      ? validationSplit(n, params.validation_fraction!, splitRng, stratify)
      : undefined;
  const heldOut = useValidation ? external : undefined;
  if (heldOut && heldOut.X.cols.length !== X.cols.length)
    throw new Error(`validation rows have ${heldOut.X.cols.length} features, training rows ${X.cols.length}`);

  const mapper = fitBinMapper(X, {maxBins: params.max_bins, subsample: 200_000, rng: binRng}, split?.train);
  const K = loss.nTrees;
  const nTrain = split ? split.train.length : n;
  // With max_leaf_nodes set, at most that many histograms (+ the two of a split) are ever alive.
  const histCapacity = params.max_leaf_nodes !== null ? params.max_leaf_nodes + 2 : 64;
  const nThreads = nTrain >= minThreadedRows ? Math.min(threads, MAX_THREADS) : 1;
  const dims = {
    nRows: nTrain,
    nFeatures: X.cols.length,
    nOutputs: K,
    constantHessian: loss.constantHessian,
    histCapacity,
    nVal: split ? split.validation.length : (heldOut?.X.rows ?? 0),
    maxTreeNodes: params.max_leaf_nodes !== null ? 2 * params.max_leaf_nodes - 1 : 0
  };
  const ws = new HgbWorkspace(dims, {shared: nThreads > 1});
  // Helpers start now and load while the columns are binned.
  const team = nThreads > 1 ? HgbTeam.start(ws, loss, nThreads) : undefined;
  ws.team = team;
  try {
    for (let j = 0; j < X.cols.length; ++j)
      binColumn(X.cols[j], mapper.thresholds[j], ws.column(j), split?.train);
    if (split)
      for (let j = 0; j < X.cols.length; ++j)
        binColumn(X.cols[j], mapper.thresholds[j], ws.valColumn(j), split.validation);
    if (heldOut)
      for (let j = 0; j < X.cols.length; ++j)
        binColumn(heldOut.X.cols[j], mapper.thresholds[j], ws.valColumn(j));
    const yTrain = split ? gatherF64(y, split.train) : y;
    ws.y.set(yTrain);
    if (split) ws.yVal.set(gatherF64(y, split.validation));
    if (heldOut) ws.yVal.set(heldOut.y);

    const hasMissing = Uint8Array.from({length: X.cols.length}, (_, j) =>
      ws.column(j).includes(MISSING_BIN) ? 1 : 0
    );
    ws.setFeatureInfo(mapper.nBinsNonMissing, hasMissing);
    const data: GrowData = {
      thresholds: mapper.thresholds,
      nBinsNonMissing: mapper.nBinsNonMissing,
      hasMissing
    };
    const grow: GrowParams = {
      maxLeafNodes: params.max_leaf_nodes,
      maxDepth: params.max_depth,
      minSamplesLeaf: params.min_samples_leaf,
      minHessianToSplit: 1e-3,
      minGainToSplit: 0,
      l2Regularization: params.l2_regularization,
      shrinkage: params.learning_rate
    };

    const baseline = loss.baseline(yTrain);
    for (let k = 0; k < K; ++k) ws.raw(k).fill(baseline[k]);
    // Views into the workspace are fetched afresh each time: its memory may grow (and move).
    const raw = () => Array.from({length: K}, (_, k) => ws.raw(k));
    for (let k = 0; k < K; ++k) ws.rawVal(k).fill(baseline[k]);

    const fit: HgbFit = {baseline, trees: [], trainScore: [], validationScore: []};
    // sklearn also records the training loss when validating; only the scores that decide stopping
    // are computed here, the training loss being a full extra pass per iteration.
    // The iteration's trees are added to the validation rows' raw predictions as it is scored.
    const score = (trees: HgbTree[] | null) => {
      if (useValidation) fit.validationScore.push(-ws.validationLoss(trees, loss));
      else fit.trainScore.push(-loss.loss(yTrain, raw()));
      return shouldStop(useValidation ? fit.validationScore : fit.trainScore, params);
    };
    if (earlyStopping) score(null);
    for (let iteration = 0; iteration < params.max_iter; ++iteration) {
      ws.computeGradients(loss);
      const trees: HgbTree[] = [];
      for (let k = 0; k < K; ++k) trees.push(growTree(ws, k, data, grow));
      fit.trees.push(trees);
      onProgress?.(iteration + 1, params.max_iter);
      if (!earlyStopping) continue;
      if (score(trees)) break;
    }
    return fit;
  } finally {
    team?.close();
  }
}

/** sklearn's `_should_stop`: no score of the last `n_iter_no_change` beats the one before by `tol`. */
function shouldStop(scores: number[], params: HistGradientBoostingParams): boolean {
  const reference = params.n_iter_no_change + 1;
  if (scores.length < reference) return false;
  const referenceScore = scores[scores.length - reference] + params.tol;
  for (let i = scores.length - reference + 1; i < scores.length; ++i)
    if (scores[i] > referenceScore) return false;
  return true;
}

function gatherF64(col: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; ++i) out[i] = col[rows[i]];
  return out;
}
