import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it, vi} from "vitest";
import {newCommand} from "../../src/cli/scaffold/new.ts";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {runStep} from "../../src/pipeline/engine/runStep.ts";
import {sidebar, sitePages} from "../../src/site/siteConfig.ts";
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
      /invalid kind: "report" \(expected step, model, pipeline or page\)/
    );
    expect(existsSync(join(dir, "steps"))).toBe(false);
  });

  it("scaffolds a page and its loader, in a pipeline's folder or at the top, and lists them in the sidebar", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    await newCommand("page", "errors", {config, pipeline: "tiny"});
    await newCommand("page", "overview-2", {config});
    const page = readFileSync(join(dir, "docs", "tiny", "errors.md"), "utf8");
    expect(page).toContain('FileAttachment("../data/tiny/errors.json")');
    expect(page).toContain('from "../components/vega.js"');
    expect(readFileSync(join(dir, "docs", "data", "tiny", "errors.json.js"), "utf8")).toMatch(
      /import \{pageLoader\} from "mlbook";[\s\S]*\{pipeline: "tiny"\}/
    );
    expect(readFileSync(join(dir, "docs", "overview-2.md"), "utf8")).toContain(
      'FileAttachment("./data/overview-2.json")'
    );
    expect(readFileSync(join(dir, "docs", "data", "overview-2.json.js"), "utf8")).not.toContain("{pipeline:");
    expect(sidebar(dir)).toEqual([
      {name: "overview-2", path: "/overview-2"},
      {
        name: "tiny",
        open: true,
        pages: [
          ...sitePages.map((p) => ({name: p.title, path: `/tiny/${p.page}`})),
          {name: "errors", path: "/tiny/errors"}
        ]
      }
    ]);

    await expect(newCommand("page", "errors", {config, pipeline: "tiny"})).rejects.toThrow(
      /docs\/tiny\/errors\.md exists already: nothing was written/
    );
    await expect(newCommand("page", "metrics", {config, pipeline: "tiny"})).rejects.toThrow(
      /invalid page name: metrics is one of mlbook's pages/
    );
    await expect(newCommand("page", "x", {config, pipeline: "nope"})).rejects.toThrow(
      /invalid --pipeline: "nope" \(expected one of tiny\)/
    );
    await expect(newCommand("page", "no way", {config})).rejects.toThrow(/invalid page name: "no way"/);
    await expect(newCommand("page", "tiny", {config})).rejects.toThrow(
      /invalid page name: tiny is a pipeline's name/
    );
  });
});
