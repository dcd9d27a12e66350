import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it, vi} from "vitest";
import {newCommand} from "../../src/cli/scaffold/new.ts";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {runStep} from "../../src/pipeline/engine/runStep.ts";
import {tinyProject} from "../helpers/project.ts";

describe("mlbook new", () => {
  vi.spyOn(console, "log").mockImplementation(() => {});

  it("scaffolds a pipeline beside the config: it loads, runs and has a test", async () => {
    const dir = tinyProject();
    await newCommand("pipeline", "second", {config: join(dir, "mlbook.yaml")});
    expect(readFileSync(join(dir, "pipelines", "second.test.ts"), "utf8")).toContain(
      'it("second runs end to end'
    );
    const loaded = await loadConfig(join(dir, "pipelines", "second.yaml"));
    expect(loaded.config.name).toBe("second");
    // The data path, relative to mlbook.yaml, is rewritten relative to pipelines/.
    expect(loaded.config.data.source).toBe("../data.csv");
    const result = await runPipeline(loaded);
    expect(result.headline.accuracy).toBeGreaterThan(0.8);
  });

  it("scaffolds a step after the one named, whose template passes its table on unchanged", async () => {
    const dir = tinyProject();
    await newCommand("step", "extra", {config: join(dir, "mlbook.yaml"), after: "clean"});
    const loaded = await loadConfig(join(dir, "mlbook.yaml"));
    expect(loaded.config.steps.extra).toMatchObject({module: "./steps/extra.ts", after: "clean"});
    const step = loaded.catalog.steps.find((s) => s.name === "extra")!;
    const rows = [{a: 1, b: "x"}];
    expect(await runStep(step, {inputs: {data: rows}})).toEqual({data: rows});
  });

  it("writes nothing when a file exists, or the name or kind is wrong", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    await newCommand("model", "base", {config});
    const before = readFileSync(config, "utf8");
    expect(before).toContain("type: ./models/base.ts");
    await expect(newCommand("model", "base", {config})).rejects.toThrow(
      /models\/base\.ts exists already: nothing was written/
    );
    expect(readFileSync(config, "utf8")).toBe(before);
    await expect(newCommand("step", "2fast", {config})).rejects.toThrow(/invalid name: "2fast"/);
    await expect(newCommand("report", "x", {config})).rejects.toThrow(
      /invalid kind: "report" \(expected step, model or pipeline\)/
    );
    expect(existsSync(join(dir, "steps"))).toBe(false);
  });
});
