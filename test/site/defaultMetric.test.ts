import {describe, expect, it} from "vitest";
import {bestRun} from "../../docs/components/bestRun.ts";
import {defaultMetric, varies} from "../../docs/components/defaultMetric.ts";

const names = ["accuracy", "f1_macro", "log_loss"];
// A penguins sweep over C: every job classifies the test rows perfectly, their losses differ.
const flat = [
  {id: "c", metrics: {accuracy: 1, f1_macro: 1, log_loss: 0.02}},
  {id: "b", metrics: {accuracy: 1, f1_macro: 1, log_loss: 0.08}},
  {id: "a", metrics: {accuracy: 1, f1_macro: 1, log_loss: 0.33}}
];

describe("the Experiments page's default metric", () => {
  it("is the selection metric when it varies across the runs shown", () => {
    const runs = [...flat, {id: "d", metrics: {accuracy: 0.97, f1_macro: 0.96, log_loss: 0.4}}];
    expect(defaultMetric(runs, names, "f1_macro")).toBe("f1_macro");
    expect(defaultMetric(runs, names, "accuracy")).toBe("accuracy");
  });

  it("passes over a selection metric that is the same for every run, to the first that varies", () => {
    expect(defaultMetric(flat, names, "accuracy")).toBe("log_loss");
    expect(defaultMetric(flat, names, null)).toBe("log_loss");
  });

  it("takes a run without the metric (a sweep's shared steps) for no value, not a different one", () => {
    const runs = [...flat, {id: "shared", metrics: {}}];
    expect(varies(runs, "accuracy")).toBe(false);
    expect(defaultMetric(runs, names, "accuracy")).toBe("log_loss");
  });

  it("falls back to the selection metric, else the first, when nothing varies", () => {
    const one = [flat[0]];
    expect(defaultMetric(one, names, "f1_macro")).toBe("f1_macro");
    expect(defaultMetric(one, names, "cv_accuracy")).toBe("accuracy");
    expect(defaultMetric([], [], "accuracy")).toBeNull();
  });
});

describe("the best run", () => {
  it("is the highest score, or the lowest loss, the newest of those tied; runs without the metric never", () => {
    const runs = [{id: "shared", metrics: {}}, ...flat];
    expect(bestRun(runs, "log_loss", true)?.id).toBe("c");
    expect(bestRun(runs, "log_loss", false)?.id).toBe("a");
    expect(bestRun(runs, "accuracy", false)?.id).toBe("c");
    expect(bestRun(runs, "r2", false)).toBeNull();
  });
});
