import {describe, expect, it} from "vitest";
import {
  metricGoal,
  metricNames,
  metricNeedsProba,
  metricTask,
  scoreByName
} from "../../../../src/pipeline/ml/metrics/index.ts";
import {classification, columns, regression} from "./fixtures.ts";

const {binary: bin, multiclass: mc} = classification;
const binScore = Float64Array.from(bin.y_score);
const binCols = [Float64Array.from(binScore, (p) => 1 - p), binScore];
const mcProba = columns(mc.y_proba);

describe("scoreByName", () => {
  it("dispatches binary names to the fixture values, with score or column probabilities", () => {
    const s = (name: string, proba = binCols) => scoreByName(name, bin.y_true, bin.y_pred, proba);
    expect(s("accuracy")).toBeCloseTo(bin.accuracy, 9);
    expect(s("precision")).toBeCloseTo(bin.precision, 9);
    expect(s("recall")).toBeCloseTo(bin.recall, 9);
    expect(s("f1")).toBeCloseTo(bin.f1, 9);
    expect(s("balanced_accuracy")).toBeCloseTo(bin.balanced_accuracy, 9);
    expect(s("matthews_corrcoef")).toBeCloseTo(bin.matthews_corrcoef, 9);
    expect(s("roc_auc")).toBeCloseTo(bin.roc_auc, 9);
    expect(scoreByName("roc_auc", bin.y_true, bin.y_pred, binScore)).toBeCloseTo(bin.roc_auc, 9);
    expect(s("roc_auc_ovr")).toBeCloseTo(bin.roc_auc, 9);
    expect(s("average_precision")).toBeCloseTo(bin.average_precision, 9);
    expect(s("log_loss")).toBeCloseTo(bin.log_loss, 9);
  });

  it("dispatches multiclass names", () => {
    const s = (name: string) => scoreByName(name, mc.y_true, mc.y_pred, mcProba);
    expect(s("f1_macro")).toBeCloseTo(mc.f1_macro, 9);
    expect(s("f1_weighted")).toBeCloseTo(mc.f1_weighted, 9);
    expect(s("precision_macro")).toBeCloseTo(mc.precision_macro, 9);
    expect(s("recall_macro")).toBeCloseTo(mc.recall_macro, 9);
    expect(s("f1_micro")).toBeCloseTo(mc.accuracy, 9);
    expect(s("roc_auc_ovr")).toBeCloseTo(mc.roc_auc_ovr_macro, 9);
    expect(s("log_loss")).toBeCloseTo(mc.log_loss, 9);
    expect(() => s("roc_auc")).toThrow(
      /needs a binary target but got 3 probability columns \(use roc_auc_ovr\)/
    );
  });

  it("dispatches regression names", () => {
    const s = (name: string) => scoreByName(name, regression.y_true, regression.y_pred);
    expect(s("r2")).toBeCloseTo(regression.r2, 9);
    expect(s("rmse")).toBeCloseTo(regression.rmse, 9);
    expect(s("mae")).toBeCloseTo(regression.mae, 9);
    expect(s("mse")).toBeCloseTo(regression.mse, 9);
    expect(s("median_ae")).toBeCloseTo(regression.median_ae, 9);
    expect(s("explained_variance")).toBeCloseTo(regression.explained_variance, 9);
    expect(s("mape")).toBeCloseTo(regression.mape, 9);
  });

  it("knows each metric's goal, task and input", () => {
    expect(["accuracy", "f1_macro", "roc_auc", "r2"].map(metricGoal)).toEqual(["max", "max", "max", "max"]);
    expect(["log_loss", "rmse", "mae", "mape"].map(metricGoal)).toEqual(["min", "min", "min", "min"]);
    expect(metricTask("r2")).toBe("regression");
    expect(metricTask("roc_auc_ovr_weighted")).toBe("classification");
    expect(metricNeedsProba("log_loss")).toBe(true);
    expect(metricNeedsProba("f1_weighted")).toBe(false);
    for (const name of metricNames) expect(["max", "min"]).toContain(metricGoal(name));
  });

  it("names the unknown metric and the expected ones", () => {
    expect(() => scoreByName("f2", [0], [0])).toThrow(
      /^unknown metric: f2 \(expected one of accuracy, .*rmse/
    );
    expect(() => metricGoal("toString")).toThrow(/unknown metric: toString/);
    expect(() => scoreByName("log_loss", [0], [0])).toThrow(/log_loss needs predicted probabilities/);
  });
});
