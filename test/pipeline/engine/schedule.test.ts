import {describe, expect, it} from "vitest";
import {runDag} from "../../../src/pipeline/engine/schedule.ts";

/** ingest → clean → {check, split → train → evaluate} → register, as buildGraph lays out penguins. */
const inputs: Record<string, string[]> = {
  ingest: [],
  clean: ["ingest"],
  check: ["clean"],
  split: ["clean"],
  train: ["split"],
  evaluate: ["split", "train"],
  register: ["split", "train", "evaluate"]
};
const names = Object.keys(inputs);
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder(durations: Record<string, number>, fail?: string) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const run = async (name: string) => {
    events.push(`start ${name}`);
    peak = Math.max(peak, ++running);
    await tick(durations[name] ?? 1);
    running--;
    events.push(`end ${name}`);
    if (name === fail) throw new Error(`${name} failed`);
    return name.toUpperCase();
  };
  return {events, run, peak: () => peak};
}

describe("runDag", () => {
  it("runs a step after its inputs, independent steps at once", async () => {
    const r = recorder({check: 40, split: 5, train: 5, evaluate: 5});
    const results = await runDag(names, (n) => inputs[n], r.run, {last: new Set(["register"])});
    expect([...results.keys()].sort()).toEqual([...names].sort());
    expect(results.get("train")).toBe("TRAIN");
    expect(r.peak()).toBe(2);
    const at = (e: string) => r.events.indexOf(e);
    for (const [step, ins] of Object.entries(inputs))
      for (const input of ins) expect(at(`end ${input}`)).toBeLessThan(at(`start ${step}`));
    // check overlaps split, train and evaluate; register waits for the slow check too.
    expect(at("start check")).toBeLessThan(at("end split"));
    expect(at("end evaluate")).toBeLessThan(at("end check"));
    expect(at("end check")).toBeLessThan(at("start register"));
  });

  it("starts nothing new after a failure, lets running steps finish, and throws the first error", async () => {
    const r = recorder({check: 5, split: 20}, "check");
    await expect(runDag(names, (n) => inputs[n], r.run, {last: new Set(["register"])})).rejects.toThrow(
      "check failed"
    );
    expect(r.events).toContain("end split");
    expect(r.events).not.toContain("start train");
    expect(r.events).not.toContain("start register");
  });

  it("ignores inputs outside the selection (steps whose entries come from the store)", async () => {
    const r = recorder({});
    const results = await runDag(["train", "evaluate"], (n) => inputs[n], r.run);
    expect([...results.keys()]).toEqual(["train", "evaluate"]);
    expect(r.events).toEqual(["start train", "end train", "start evaluate", "end evaluate"]);
  });
});
