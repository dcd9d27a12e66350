import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {describe, expect, it} from "vitest";
import type {LoaderState} from "../../src/site/invalidate.ts";
import {listLoaders} from "../../src/site/loaders.ts";
import {makeLoaderOutputs} from "../../src/site/makeLoaderOutputs.ts";
import {DEFAULT_CONFIG, listPipelines} from "../../src/site/pipelines.ts";
import {copyOfRepo, mlbook, run} from "../helpers/project.ts";

describe("makeLoaderOutputs (the processes mlbook dev and build make page data in)", () => {
  it("writes each output where Framework caches it, as the loader makes it, and leaves the rest to Framework", async () => {
    const dir = copyOfRepo();
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0); // also builds lib/, which the loaders import
    writeFileSync(join(dir, "docs", "data", "custom.json.js"), 'process.stdout.write("{}");\n');
    const loaders = listLoaders(dir, listPipelines(dir), join(dir, DEFAULT_CONFIG));
    const state = (target: string, pipeline?: string): LoaderState => {
      const loader = loaders.find((l) => l.target === target) ?? {
        // A pipeline that does not exist: the page-data function throws.
        ...loaders.find((l) => l.target === "data/penguins/checks.json")!,
        target,
        pipeline,
        cache: join(dir, "docs", ".observablehq", "cache", target)
      };
      return {loader, fingerprint: "", keys: {}, code: "", config: null, tracking: null, stale: "test"};
    };
    const checks = state("data/penguins/checks.json");
    const metrics = state("data/penguins/metrics.json");
    const nowhere = state("data/nowhere/checks.json", "nowhere");
    const custom = state("data/custom.json");
    const heard: [string, string[]][] = [];
    const result = await makeLoaderOutputs(dir, [checks, nowhere, custom, metrics], {
      onFile: async (file, made) => {
        heard.push([file, made.map((s) => s.loader.target)]);
      }
    });

    // The loader of another kind first (Framework runs it), then each file once its outputs are written.
    expect(heard).toEqual([
      ["data/custom.json.js", []],
      ["data/[pipeline]/checks.json.js", ["data/penguins/checks.json"]],
      ["data/[pipeline]/metrics.json.js", ["data/penguins/metrics.json"]]
    ]);
    expect(result.made.map((m) => m.state)).toEqual([checks, metrics]);
    for (const m of result.made) expect(m.ms).toBeGreaterThan(0);
    expect(result.failed.map((f) => [f.state, f.message])).toEqual([
      [nowhere, expect.stringMatching(/^invalid --pipeline: "nowhere"/)]
    ]);
    expect(result.others).toEqual([custom]);
    expect(existsSync(nowhere.loader.cache)).toBe(false);
    expect(existsSync(custom.loader.cache)).toBe(false);
    const first = [checks, metrics].map((s) => readFileSync(s.loader.cache, "utf8"));

    // Dealt between two processes (as mlbook build does): the same outputs, each file reported once.
    for (const s of [checks, metrics]) rmSync(s.loader.cache);
    const files: string[] = [];
    const dealt = await makeLoaderOutputs(dir, [checks, nowhere, metrics], {
      processes: 2,
      onFile: async (file) => void files.push(file)
    });
    expect(files.sort()).toEqual(["data/[pipeline]/checks.json.js", "data/[pipeline]/metrics.json.js"]);
    expect(dealt.made.map((m) => m.state.loader.target).sort()).toEqual([
      checks.loader.target,
      metrics.loader.target
    ]);
    expect(dealt.failed.map((f) => f.state)).toEqual([nowhere]);
    const strip = (text: string) => ({...(JSON.parse(text) as object), builtAt: null});
    expect([checks, metrics].map((s) => strip(readFileSync(s.loader.cache, "utf8")))).toEqual(
      first.map(strip)
    );

    // What the loader itself prints, run as Framework runs it.
    for (const s of [checks, metrics]) {
      const byHand = await run(dir, process.execPath, [join("docs", s.loader.loader), "--pipeline=penguins"]);
      expect(byHand.status).toBe(0);
      const made = JSON.parse(readFileSync(s.loader.cache, "utf8")) as Record<string, unknown>;
      const printed = JSON.parse(byHand.stdout) as Record<string, unknown>;
      delete made.builtAt;
      delete printed.builtAt;
      expect(made, s.loader.target).toEqual(printed);
    }
    // No temp file left beside them.
    expect(readdirSync(dirname(checks.loader.cache)).sort()).toEqual(["checks.json", "metrics.json"]);
  }, 120_000);
});
