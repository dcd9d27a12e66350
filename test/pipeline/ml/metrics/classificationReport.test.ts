import {describe, expect, it} from "vitest";
import {classificationReport} from "../../../../src/pipeline/ml/metrics/index.ts";
import {classification, columns} from "./fixtures.ts";

const {binary: bin, multiclass: mc} = classification;
const binScore = Float64Array.from(bin.y_score);
const mcProba = columns(mc.y_proba);

describe("classificationReport", () => {
  it("gathers the multiclass fixture's numbers", () => {
    const r = classificationReport(Int32Array.from(mc.y_true), Int32Array.from(mc.y_pred), mcProba, [
      "a",
      "b",
      "c"
    ]);
    expect(r.n).toBe(300);
    expect(r.accuracy).toBeCloseTo(mc.accuracy, 9);
    expect(r.macro.precision).toBeCloseTo(mc.precision_macro, 9);
    expect(r.macro.recall).toBeCloseTo(mc.recall_macro, 9);
    expect(r.macro.f1).toBeCloseTo(mc.f1_macro, 9);
    expect(r.weighted.f1).toBeCloseTo(mc.f1_weighted, 9);
    expect(r.perClass.map((c) => c.class)).toEqual(["a", "b", "c"]);
    r.perClass.forEach((c, k) => expect(c.f1).toBeCloseTo(mc.f1_per_class[k], 9));
    expect(r.perClass.map((c) => c.support)).toEqual([99, 97, 104]);
    expect(r.confusionMatrix).toEqual(mc.confusion_matrix);
    expect(r.logLoss).toBeCloseTo(mc.log_loss, 9);
    expect(r.rocAuc).toBeCloseTo(mc.roc_auc_ovr_macro, 9);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("binary with positive scores, and without probabilities", () => {
    const r = classificationReport(bin.y_true, bin.y_pred, binScore, ["no", "yes"]);
    expect(r.rocAuc).toBeCloseTo(bin.roc_auc, 9);
    expect(r.logLoss).toBeCloseTo(bin.log_loss, 9);
    expect(r.balancedAccuracy).toBeCloseTo(bin.balanced_accuracy, 9);
    expect(r.matthewsCorrcoef).toBeCloseTo(bin.matthews_corrcoef, 9);
    expect(r.perClass[1].precision).toBeCloseTo(bin.precision, 9);
    const plain = classificationReport(bin.y_true, bin.y_pred, undefined, ["no", "yes"]);
    expect("logLoss" in plain || "rocAuc" in plain).toBe(false);
  });

  it("keeps a class absent from the data as a zero row, and leaves AUC out when undefined", () => {
    const r = classificationReport(
      [0, 0, 1],
      [0, 1, 1],
      [Float64Array.of(0.9, 0.4, 0.2), Float64Array.of(0.1, 0.6, 0.8), new Float64Array(3)],
      ["x", "y", "z"]
    );
    expect(r.perClass[2]).toEqual({class: "z", precision: 0, recall: 0, f1: 0, support: 0});
    expect(r.confusionMatrix).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 0]
    ]);
    expect(r.rocAuc).toBeUndefined();
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.8)) / 3, 12);
  });
});
