import {describe, expect, it} from "vitest";
import {
  averagePrecision,
  averagePrecisionOvr,
  logLoss,
  precisionRecallCurve,
  rocAuc,
  rocAucOvr,
  rocCurve
} from "../../../../src/pipeline/ml/metrics/index.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";
import {classification, columns, expectClose} from "./fixtures.ts";

const {binary: bin, multiclass: mc} = classification;
const score = Float64Array.from(bin.y_score);
const proba = columns(mc.y_proba);

describe("ROC", () => {
  it("roc_curve keeps sklearn's points (drop_intermediate) and a leading +inf threshold", () => {
    const c = rocCurve(Int32Array.from(bin.y_true), score);
    expectClose(c.fpr, bin.roc_curve.fpr);
    expectClose(c.tpr, bin.roc_curve.tpr);
    expect(bin.roc_curve.thresholds[0]).toBeNull();
    expect(c.thresholds[0]).toBe(Infinity);
    expectClose(c.thresholds.subarray(1), bin.roc_curve.thresholds.slice(1) as number[]);
  });

  it("without dropping, every distinct score is a point and the area is unchanged", () => {
    const full = rocCurve(bin.y_true, score, {dropIntermediate: false});
    expect(full.fpr.length).toBe(new Set(bin.y_score).size + 1);
    let area = 0;
    for (let i = 1; i < full.fpr.length; ++i)
      area += ((full.fpr[i] - full.fpr[i - 1]) * (full.tpr[i] + full.tpr[i - 1])) / 2;
    expect(area).toBeCloseTo(bin.roc_auc, 12);
  });

  it("on heavily tied scores, the dropped curve is a subsequence of the full one with the same area", () => {
    const rng = createRng(2);
    for (let trial = 0; trial < 50; ++trial) {
      const n = 3 + rng.int(60);
      const y = Int32Array.from({length: n}, () => rng.int(2));
      const s = Float64Array.from({length: n}, () => rng.int(8) / 8 - 0.5);
      const full = rocCurve(y, s, {dropIntermediate: false});
      const kept = rocCurve(y, s);
      let j = 0;
      for (let i = 0; i < kept.fpr.length; ++i) {
        while (full.thresholds[j] !== kept.thresholds[i]) ++j;
        expect([full.fpr[j], full.tpr[j]]).toEqual([kept.fpr[i], kept.tpr[i]]);
      }
      expect(kept.fpr.at(-1)).toBe(full.fpr.at(-1));
      if (y.includes(0) && y.includes(1)) {
        const area = (c: typeof full) =>
          c.fpr.reduce((a, f, i) => (i ? a + ((f - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1])) / 2 : 0), 0);
        expect(area(kept)).toBeCloseTo(area(full), 12);
        // The Mann-Whitney form: P(score of a positive > a negative) + ½ P(tie).
        let wins = 0,
          pairs = 0;
        for (let a = 0; a < n; ++a) {
          for (let b = 0; b < n; ++b) {
            if (y[a] !== 1 || y[b] !== 0) continue;
            ++pairs;
            wins += s[a] > s[b] ? 1 : s[a] === s[b] ? 0.5 : 0;
          }
        }
        expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 12);
      }
    }
  });

  it("binary and one-vs-rest macro AUC", () => {
    expect(rocAuc(bin.y_true, score)).toBeCloseTo(bin.roc_auc, 9);
    expect(rocAucOvr(mc.y_true, proba)).toBeCloseTo(mc.roc_auc_ovr_macro, 9);
  });

  it("weighted OvR AUC is the support-weighted mean of the per-class AUCs", () => {
    const support = [0, 1, 2].map((c) => mc.y_true.filter((y) => y === c).length);
    const perClass = [0, 1, 2].map((c) => rocAuc(mc.y_true, proba[c], c));
    const expected = perClass.reduce((s, a, c) => s + a * support[c], 0) / mc.y_true.length;
    expect(rocAucOvr(mc.y_true, proba, "weighted")).toBeCloseTo(expected, 12);
    // ...and the macro one their plain mean, matching sklearn's figure above.
    expect(perClass.reduce((a, b) => a + b) / 3).toBeCloseTo(mc.roc_auc_ovr_macro, 9);
  });

  it("ties and a perfect ranking on a hand table", () => {
    // sklearn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75, and ties count half.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0, 0, 1], [0.1, 0.2, 0.9])).toBe(1);
  });

  it("refuses undefined AUCs and non-probabilities, as sklearn does", () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/only one class/);
    expect(() =>
      rocAucOvr(
        [0, 1, 1],
        proba.map((c) => c.subarray(0, 3))
      )
    ).toThrow(/class 2 never occurs/);
    const bad = [
      Float64Array.of(0.5, 0.2, 0.1),
      Float64Array.of(0.5, 0.2, 0.1),
      Float64Array.of(0.5, 0.6, 0.8)
    ];
    expect(() => rocAucOvr([0, 1, 2], bad)).toThrow(/row 0 sum to 1.5/);
  });
});

describe("precision-recall", () => {
  it("precision_recall_curve as sklearn ≥ 1.1 returns it", () => {
    const c = precisionRecallCurve(bin.y_true, score);
    expectClose(c.precision, bin.pr_curve.precision);
    expectClose(c.recall, bin.pr_curve.recall);
    expectClose(c.thresholds, bin.pr_curve.thresholds);
  });

  it("average precision is the step-wise sum, not interpolated", () => {
    expect(averagePrecision(bin.y_true, score)).toBeCloseTo(bin.average_precision, 9);
    // sklearn: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333…
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(5 / 6, 12);
  });

  it("multiclass average precision is the macro mean of one-vs-rest APs", () => {
    const perClass = [0, 1, 2].map((c) => averagePrecision(mc.y_true, proba[c], c));
    expect(averagePrecisionOvr(mc.y_true, proba)).toBeCloseTo(perClass.reduce((a, b) => a + b) / 3, 12);
  });
});

describe("log loss", () => {
  it("binary scores and multiclass columns", () => {
    expect(logLoss(bin.y_true, score)).toBeCloseTo(bin.log_loss, 9);
    expect(logLoss(bin.y_true, [Float64Array.from(score, (p) => 1 - p), score])).toBeCloseTo(bin.log_loss, 9);
    expect(logLoss(Int32Array.from(mc.y_true), proba)).toBeCloseTo(mc.log_loss, 9);
  });

  it("clips at float64 epsilon without renormalising rows (sklearn 1.9)", () => {
    // sklearn: log_loss([1, 0], [1.0, 1.0]) = -log(eps) / 2 = 18.0218…
    expect(logLoss([1, 0], Float64Array.of(1, 1))).toBeCloseTo(-Math.log(Number.EPSILON) / 2, 12);
    // Rows summing to 0.5: sklearn 1.9 gives -log(0.25), not -log(0.5).
    expect(logLoss([0], [Float64Array.of(0.25), Float64Array.of(0.25)])).toBeCloseTo(-Math.log(0.25), 12);
    expect(() => logLoss([0], [Float64Array.of(1.5), Float64Array.of(0)])).toThrow(/invalid probability 1.5/);
  });
});
