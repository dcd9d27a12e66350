import {describe, expect, it} from "vitest";
import {
  accuracy,
  balancedAccuracy,
  confusionMatrix,
  f1Score,
  matthewsCorrcoef,
  perClassScores,
  precisionRecallF1,
  precisionScore,
  recallScore
} from "../../../../src/pipeline/ml/metrics/index.ts";
import {classification, expectClose} from "./fixtures.ts";

const {binary: bin, multiclass: mc} = classification;

describe("label metrics, binary fixture", () => {
  it("accuracy, precision, recall, F1 with pos_label 1", () => {
    expect(accuracy(bin.y_true, bin.y_pred)).toBeCloseTo(bin.accuracy, 9);
    expect(precisionScore(bin.y_true, bin.y_pred)).toBeCloseTo(bin.precision, 9);
    expect(recallScore(bin.y_true, bin.y_pred)).toBeCloseTo(bin.recall, 9);
    expect(f1Score(bin.y_true, bin.y_pred)).toBeCloseTo(bin.f1, 9);
  });

  it("confusion matrix, balanced accuracy, MCC", () => {
    expect(confusionMatrix(Int32Array.from(bin.y_true), Int32Array.from(bin.y_pred))).toEqual(
      bin.confusion_matrix
    );
    expect(balancedAccuracy(bin.y_true, bin.y_pred)).toBeCloseTo(bin.balanced_accuracy, 9);
    expect(matthewsCorrcoef(bin.y_true, bin.y_pred)).toBeCloseTo(bin.matthews_corrcoef, 9);
  });
});

describe("label metrics, 3-class fixture", () => {
  it("accuracy and macro / weighted averages", () => {
    expect(accuracy(mc.y_true, mc.y_pred)).toBeCloseTo(mc.accuracy, 9);
    const macro = precisionRecallF1(mc.y_true, mc.y_pred, {average: "macro"});
    expect(macro.precision).toBeCloseTo(mc.precision_macro, 9);
    expect(macro.recall).toBeCloseTo(mc.recall_macro, 9);
    expect(macro.f1).toBeCloseTo(mc.f1_macro, 9);
    expect(f1Score(mc.y_true, mc.y_pred, {average: "weighted"})).toBeCloseTo(mc.f1_weighted, 9);
  });

  it("per-class F1 and support", () => {
    const s = perClassScores(Int32Array.from(mc.y_true), Int32Array.from(mc.y_pred));
    expectClose(s.f1, mc.f1_per_class);
    expect(Array.from(s.support)).toEqual(mc.confusion_matrix.map((row) => row.reduce((a, b) => a + b)));
  });

  it("micro averages equal accuracy and weighted recall equals accuracy, as the definitions imply", () => {
    const micro = precisionRecallF1(mc.y_true, mc.y_pred, {average: "micro"});
    expectClose([micro.precision, micro.recall, micro.f1], [mc.accuracy, mc.accuracy, mc.accuracy]);
    expect(recallScore(mc.y_true, mc.y_pred, {average: "weighted"})).toBeCloseTo(mc.accuracy, 9);
  });

  it("confusion matrix; balanced accuracy is the macro recall when every class occurs", () => {
    expect(confusionMatrix(mc.y_true, mc.y_pred)).toEqual(mc.confusion_matrix);
    expect(balancedAccuracy(mc.y_true, mc.y_pred)).toBeCloseTo(mc.recall_macro, 9);
  });

  it("multiclass MCC from the confusion matrix (Gorodkin's R_K)", () => {
    // Recomputed here from the fixture's confusion matrix with the textbook covariance formula.
    const c = mc.confusion_matrix;
    const n = c.flat().reduce((a, b) => a + b);
    const t = c.map((r) => r.reduce((a, b) => a + b));
    const p = c[0].map((_, j) => c.reduce((a, r) => a + r[j], 0));
    const correct = c.reduce((a, r, i) => a + r[i], 0);
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    const expected = (correct * n - dot(t, p)) / Math.sqrt((n * n - dot(p, p)) * (n * n - dot(t, t)));
    expect(matthewsCorrcoef(mc.y_true, mc.y_pred)).toBeCloseTo(expected, 12);
  });
});

describe("label metrics, edge cases (values checked against sklearn 1.9.1)", () => {
  it("scores a never-predicted class as precision 0 (zero_division=0)", () => {
    const yTrue = [0, 1, 2, 2],
      yPred = [0, 0, 2, 2];
    const s = perClassScores(yTrue, yPred);
    expectClose(s.precision, [0.5, 0, 1]);
    expectClose(s.recall, [1, 0, 1]);
    expectClose(s.f1, [2 / 3, 0, 1]);
    expect(precisionScore(yTrue, yPred, {average: "macro"})).toBeCloseTo(0.5, 12);
  });

  it("averages only classes present in y_true or y_pred; balanced accuracy skips predicted-only classes", () => {
    // Class 1 never occurs; class 3 is only predicted (recall undefined, dropped by balanced accuracy).
    const yTrue = [0, 0, 2, 2],
      yPred = [0, 3, 2, 2];
    expect(recallScore(yTrue, yPred, {average: "macro"})).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(balancedAccuracy(yTrue, yPred)).toBeCloseTo(0.75, 12);
  });

  it("MCC is 0 when predictions are constant", () => {
    expect(matthewsCorrcoef([0, 1, 1, 0], [1, 1, 1, 1])).toBe(0);
    expect(matthewsCorrcoef([0, 1, 1, 0], [0, 1, 1, 0])).toBe(1);
    expect(matthewsCorrcoef([0, 1, 1, 0], [1, 0, 0, 1])).toBe(-1);
  });

  it("refuses average 'binary' on a multiclass target and a bad label", () => {
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrow(/invalid average: "binary"/);
    expect(() => accuracy([0, 1], [0])).toThrow(/2 rows but the prediction has 1/);
    expect(() => confusionMatrix([0, -1], [0, 1])).toThrow(/invalid label: -1 at row 1/);
  });
});
