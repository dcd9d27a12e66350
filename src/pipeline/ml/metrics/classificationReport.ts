import {perClassScores, precisionRecallF1} from "./averaging.ts";
import {accuracy, balancedAccuracy, matthewsCorrcoef} from "./classification.ts";
import {confusionMatrix} from "./confusionMatrix.ts";
import type {Labels, Proba} from "./labels.ts";
import {logLoss} from "./logLoss.ts";
import {rocAuc, rocAucOvr} from "./ranking.ts";

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  balancedAccuracy: number;
  matthewsCorrcoef: number;
  macro: {precision: number; recall: number; f1: number};
  weighted: {precision: number; recall: number; f1: number};
  /** One entry per class name, including classes absent from this data (all zeros). */
  perClass: ClassScores[];
  /** Rows are true classes, columns predicted, both in `classNames` order. */
  confusionMatrix: number[][];
  /** Present only when probabilities were given. */
  logLoss?: number;
  /** Binary AUC for two classes, one-vs-rest macro AUC beyond; absent when undefined (a class missing from y_true). */
  rocAuc?: number;
}

/**
 * Everything a report page shows about a classifier, as plain JSON. Macro and weighted averages
 * run over the classes present in y_true or y_pred, as sklearn's f1_score(average="macro") does, so
 * they equal `scoreByName("f1_macro", …)`; per-class rows cover every class name.
 */
export function classificationReport(
  yTrue: Labels,
  yPred: Labels,
  proba: Proba | undefined,
  classNames: readonly string[]
): ClassificationReport {
  const k = classNames.length;
  const all = perClassScores(
    yTrue,
    yPred,
    Int32Array.from({length: k}, (_, c) => c)
  );
  const m = confusionMatrix(yTrue, yPred, k);
  if (m.length > k)
    throw new Error(`classificationReport: labels reach class ${m.length - 1} but only ${k} names`);
  const report: ClassificationReport = {
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: balancedAccuracy(yTrue, yPred),
    matthewsCorrcoef: matthewsCorrcoef(yTrue, yPred),
    macro: precisionRecallF1(yTrue, yPred, {average: "macro"}),
    weighted: precisionRecallF1(yTrue, yPred, {average: "weighted"}),
    perClass: classNames.map((name, c) => ({
      class: name,
      precision: all.precision[c],
      recall: all.recall[c],
      f1: all.f1[c],
      support: all.support[c]
    })),
    confusionMatrix: m
  };
  if (proba) {
    report.logLoss = logLoss(yTrue, proba);
    const auc = tryAuc(yTrue, proba);
    if (auc !== undefined) report.rocAuc = auc;
  }
  return report;
}

function tryAuc(yTrue: Labels, proba: Proba): number | undefined {
  const support = new Set(Array.from(yTrue));
  const k = proba instanceof Float64Array ? 2 : proba.length;
  if (support.size < k) return undefined;
  if (proba instanceof Float64Array) return rocAuc(yTrue, proba);
  return k === 2 ? rocAuc(yTrue, proba[1]) : rocAucOvr(yTrue, proba, "macro");
}
