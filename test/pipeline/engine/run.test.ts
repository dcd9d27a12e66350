import {readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {pipelineStatus} from "../../../src/pipeline/engine/status.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {type RunResult} from "../../../src/pipeline/engine/runTypes.ts";
import {tinyCsv, tinyProject} from "../../helpers/project.ts";

const statuses = (r: RunResult) =>
  Object.fromEntries(r.steps.map((s) => [s.name, s.status === "fresh" ? "fresh" : s.reason]));

describe("runPipeline", () => {
  let dir: string;
  let first: RunResult;
  const config = (overrides: string[] = []) => loadConfig(join(dir, "mlbook.yaml"), overrides);

  beforeAll(async () => {
    dir = tinyProject();
    first = await runPipeline(await config());
  });

  it("runs every step on a fresh store and reports rows and metrics", () => {
    expect(statuses(first)).toEqual({
      ingest: "missing",
      clean: "missing",
      split: "missing",
      train: "missing",
      evaluate: "missing"
    });
    expect(first.steps[0].rows).toEqual({data: 150});
    expect(first.steps[2].rows.train + first.steps[2].rows.test).toBe(150);
    expect(first.headline.accuracy).toBeGreaterThan(0.8);
    expect(first.metrics?.confusionMatrix).toHaveLength(3);
  });

  it("reuses every step on a second run, with the same keys and metrics", async () => {
    const again = await runPipeline(await config());
    expect(statuses(again)).toEqual({
      ingest: "fresh",
      clean: "fresh",
      split: "fresh",
      train: "fresh",
      evaluate: "fresh"
    });
    expect(again.steps.map((s) => s.key)).toEqual(first.steps.map((s) => s.key));
    expect(again.headline).toEqual(first.headline);
  });

  it("reruns split and everything downstream when split.test_size changes", async () => {
    const changed = await runPipeline(await config(["split.test_size=0.3"]));
    expect(statuses(changed)).toEqual({
      ingest: "fresh",
      clean: "fresh",
      split: "param split.test_size changed",
      train: "upstream split changed",
      evaluate: "upstream split, train changed"
    });
    // Going back finds the earlier entries: the store is content addressed, not last-run addressed.
    const back = await runPipeline(await config());
    expect(back.steps.every((s) => s.status === "fresh")).toBe(true);
  });

  it("reruns only train and evaluate when a model param changes", async () => {
    const status = await pipelineStatus(await config(["model.params.C=0.5"]));
    expect(status.map((s) => [s.name, s.fresh, s.reason])).toEqual([
      ["ingest", true, null],
      ["clean", true, null],
      ["split", true, null],
      ["train", false, "param model.params.C changed"],
      ["evaluate", false, "upstream train changed"]
    ]);
  });

  it("sees a change in the data file's content", async () => {
    const status = await pipelineStatus(await config());
    expect(status.every((s) => s.fresh)).toBe(true);
    writeFileSync(join(dir, "data.csv"), tinyCsv(150, 2));
    const changed = await pipelineStatus(await config());
    expect(changed[0]).toMatchObject({name: "ingest", fresh: false, reason: "data changed"});
    expect(changed[1]).toMatchObject({name: "clean", fresh: false, reason: "upstream ingest changed"});
    writeFileSync(join(dir, "data.csv"), tinyCsv());
    expect((await pipelineStatus(await config())).every((s) => s.fresh)).toBe(true);
  });

  it("rebuilds a corrupted entry instead of reading it", async () => {
    const splitKey = first.steps[2].key;
    const entry = join(dir, ".mlbook", "store", "split", splitKey);
    const file = join(entry, "train.parquet");
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const status = await pipelineStatus(await config());
    expect(status[2]).toMatchObject({
      fresh: false,
      reason: "entry corrupt (train.parquet fails its checksum)"
    });
    const rebuilt = await runPipeline(await config());
    expect(statuses(rebuilt).split).toBe("entry corrupt (train.parquet fails its checksum)");
    expect(rebuilt.steps[2].key).toBe(splitKey);
    expect(statuses(rebuilt).train).toBe("fresh");
    expect(rebuilt.headline).toEqual(first.headline);
    expect((await pipelineStatus(await config())).every((s) => s.fresh)).toBe(true);
    // The temp folder holds no leftovers.
    expect(readdirSync(join(dir, ".mlbook", "tmp"))).toEqual([]);
  });

  it("runs only the named steps with --steps, taking inputs from the store", async () => {
    const result = await runPipeline(await config(["model.params.C=2"]), {steps: ["train"]});
    expect(result.steps.map((s) => s.name)).toEqual(["ingest", "clean", "split", "train"]);
    expect(statuses(result).train).toBe("param model.params.C changed");
    expect(result.metrics).toBeNull();
  });

  it("cross-validates the whole bundle on the training rows with evaluate.cv", async () => {
    const result = await runPipeline(await config(["+evaluate.cv={folds: 4, seed: 1}"]));
    const cv = result.metrics?.cv as {
      folds: Record<string, number>[];
      mean: Record<string, number>;
      std: Record<string, number>;
    };
    expect(cv.folds).toHaveLength(4);
    const accuracies = cv.folds.map((f) => f.accuracy);
    expect(cv.mean.accuracy).toBeCloseTo(accuracies.reduce((a, b) => a + b) / 4, 12);
    expect(cv.std.accuracy).toBeGreaterThan(0);
    expect(result.headline.cv_accuracy).toBe(cv.mean.accuracy);
    expect(result.headline.cv_f1_macro).toBe(cv.mean.f1_macro);
    // The test-split metrics are the same as without CV: only evaluate reran.
    expect(result.headline.accuracy).toBe(first.headline.accuracy);
    expect(result.steps.filter((s) => s.status === "ran").map((s) => s.name)).toEqual(["evaluate"]);
  });
});
