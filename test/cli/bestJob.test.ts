import {describe, expect, it} from "vitest";
import {bestJob} from "../../src/cli/sweep.ts";
import type {JobReply} from "../../src/pipeline/sweep/pool.ts";

const job = (index: number, headline: Record<string, number>) =>
  ({index, ok: true, runId: `run-${index}`, durationMs: 1, steps: [], headline}) as unknown as Extract<
    JobReply,
    {ok: true}
  >;

describe("bestJob", () => {
  const jobs = [
    job(1, {accuracy: 0.99, cv_f1_macro: 0.9, cv_log_loss: 0.3}),
    job(2, {accuracy: 0.95, cv_f1_macro: 0.93, cv_log_loss: 0.2}),
    job(3, {accuracy: 0.97, cv_f1_macro: 0.92, cv_log_loss: 0.25})
  ];

  it("selects by the cross-validated metric, not the test metric", () => {
    expect(bestJob(jobs, {metric: "f1_macro"})).toEqual({
      index: 2,
      runId: "run-2",
      metric: "cv_f1_macro",
      value: 0.93
    });
  });

  it("minimises losses unless told otherwise", () => {
    expect(bestJob(jobs, {metric: "log_loss"})?.index).toBe(2);
    expect(bestJob(jobs, {metric: "log_loss", goal: "maximize"})?.index).toBe(1);
  });

  it("without selection, takes the first headline metric, higher is better", () => {
    expect(bestJob(jobs)?.index).toBe(1);
  });
});
