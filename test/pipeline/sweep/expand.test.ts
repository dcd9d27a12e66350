import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {builtinCatalog, loadConfig} from "../../../src/pipeline/builtins.ts";

const sweepOptions = {load: loadConfig, catalog: builtinCatalog};
import {ConfigError} from "../../../src/pipeline/errors.ts";
import {modelTypes} from "../../../src/pipeline/ml/registry.ts";
import {composeSweep, keyChoices} from "../../../src/pipeline/sweep/compose.ts";
import {expandSweep} from "../../../src/pipeline/sweep/expand.ts";
import {parseOverride} from "../../../src/pipeline/engine/overrideGrammar.ts";
import {printOverride} from "../../../src/pipeline/sweep/print.ts";
import {tinyConfig, tinyProject} from "../../helpers/project.ts";

const jobs = (texts: string[], sweep?: Parameters<typeof expandSweep>[1], maxJobs?: number) =>
  expandSweep(texts.map(parseOverride), sweep, {
    choices: (key) => keyChoices(key, builtinCatalog),
    maxJobs
  }).map((job) => job.map(printOverride));

describe("expandSweep", () => {
  it("takes the Cartesian product, first axis slowest, plain overrides in every job", () => {
    expect(jobs(["a=1,2", "b=x", "c=range(0,3)"])).toEqual([
      ["a=1", "b=x", "c=0"],
      ["a=1", "b=x", "c=1"],
      ["a=1", "b=x", "c=2"],
      ["a=2", "b=x", "c=0"],
      ["a=2", "b=x", "c=1"],
      ["a=2", "b=x", "c=2"]
    ]);
    expect(
      jobs(["model.params.n_estimators=50,100,200", "model.params.max_features=range(1,5)"])
    ).toHaveLength(12);
    expect(jobs(["x=[1,2]"])).toEqual([["x=[1,2]"]]);
    expect(jobs(["+x=choice(a)", "~y"])).toEqual([["+x=a", "~y"]]);
  });

  it("globs over the registered model types and an enum's values", () => {
    expect(jobs(["model.type=glob(*)"])).toEqual(modelTypes().map((t) => [`model.type=${t}`]));
    expect(jobs(["data.task=glob(*,exclude=regression)"])).toEqual([["data.task=classification"]]);
    expect(() => jobs(["split.seed=glob(*)"])).toThrow(/glob\(\) needs a key with a known set of choices/);
  });

  it("guards against accidents: too many jobs, or none", () => {
    expect(() => jobs(["a=range(0,20)", "b=range(0,10)"], undefined, 100)).toThrow(
      "the sweep has 200 jobs, more than --max-jobs 100: a=range(0,20) (20) × b=range(0,10) (10) (raise --max-jobs to run it)"
    );
    expect(() => jobs(["a=range(1,1)"])).toThrow(/sweep axis a=range\(1,1\) has no values/);
  });

  it("expands the config's grid and job list, the command line winning over the grid", () => {
    const sweep = {
      grid: {"model.params.C": [0.1, 1], "model.params.max_iter": "range(100,300,100)"},
      jobs: [{"split.seed": 1}, {"split.seed": 2, "split.test_size": 0.3}]
    };
    const all = jobs(["train.seed=5"], sweep);
    expect(all).toHaveLength(8);
    expect(all[0]).toEqual([
      "split.seed=1",
      "model.params.C=0.1",
      "model.params.max_iter=100",
      "train.seed=5"
    ]);
    expect(all[7]).toEqual([
      "split.seed=2",
      "split.test_size=0.3",
      "model.params.C=1",
      "model.params.max_iter=200",
      "train.seed=5"
    ]);
    expect(jobs(["model.params.C=5"], {grid: {"model.params.C": [0.1, 1]}})).toEqual([["model.params.C=5"]]);
    expect(() => jobs([], {grid: {"a b": [1]}})).toThrow(/sweep.grid: invalid key "a b"/);
  });
});

describe("loadConfig with Hydra overrides", () => {
  const file = () => join(tinyProject(), "mlbook.yaml");
  const error = async (overrides: string[]) => {
    try {
      await loadConfig(file(), overrides);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error("expected a ConfigError");
  };

  it("adds with +, adds or overrides with ++, deletes with ~", async () => {
    expect((await loadConfig(file(), ["+split.stratify=false"])).config.split.stratify).toBe(false);
    expect((await loadConfig(file(), ["++split.seed=9", "++train.seed=4"])).config).toMatchObject({
      split: {seed: 9},
      train: {seed: 4}
    });
    expect((await loadConfig(file(), ["~split.seed"])).config.split.seed).toBe(42);
    expect((await loadConfig(file(), ["~split.seed=7"])).config.split.seed).toBe(42);
    expect((await loadConfig(file(), ["~model.params"])).config.model.params).toEqual({});
  });

  it("refuses + of a key the file has, ~ of one it lacks or with another value, and sweeps", async () => {
    expect(await error(["+split.seed=1"])).toBe(
      "override +split.seed=1: split.seed is already in the config (use ++split.seed=… to override it)"
    );
    expect(await error(["~split.stratify"])).toBe(
      "override ~split.stratify: cannot delete split.stratify, it is not in the config"
    );
    expect(await error(["~split.seed=8"])).toBe(
      "override ~split.seed=8: cannot delete split.seed, its value is 7, not 8"
    );
    expect(await error(["++split.sed=1"])).toMatch(/^override \+\+split\.sed=1: unknown key split\.sed/);
    expect(await error(["model.params.C=0.1,1"])).toBe(
      "override model.params.C=0.1,1 is a sweep: run it with mlbook run -m (--multirun)"
    );
    expect(await error(["~data.target"])).toBe(
      "override ~data.target: missing required key data.target (expected string)"
    );
  });
});

describe("composeSweep", () => {
  it("validates every job before running any, naming each bad job", async () => {
    const dir = tinyProject();
    await expect(
      composeSweep(join(dir, "mlbook.yaml"), ["model.params.C=1,-1,0"], sweepOptions)
    ).rejects.toThrow(
      "2 of 3 jobs have an invalid config; nothing ran\n" +
        "job 2/3 (model.params.C=-1): override model.params.C=-1: invalid model.params.C: -1 (expected > 0)\n" +
        "job 3/3 (model.params.C=0): override model.params.C=0: invalid model.params.C: 0 (expected > 0)"
    );
  });

  it("finds the steps whose keys every job shares", async () => {
    const dir = tinyProject();
    const model = await composeSweep(join(dir, "mlbook.yaml"), ["model.params.C=0.5,2"], sweepOptions);
    expect(model.jobs.map((j) => j.overrides)).toEqual([["model.params.C=0.5"], ["model.params.C=2"]]);
    expect(model.shared).toEqual(["ingest", "clean", "split"]);
    const split = await composeSweep(join(dir, "mlbook.yaml"), ["split.test_size=0.2,0.3"], sweepOptions);
    expect(split.shared).toEqual(["ingest", "clean"]);
  });

  it("reads a sweep declared in the config, and ~sweep removes it", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}sweep:\n  grid:\n    model.params.C: [0.1, 1, 10]\n`
    );
    const composed = await composeSweep(
      join(dir, "mlbook.yaml"),
      ["model.params.max_iter=50,100"],
      sweepOptions
    );
    expect(composed.jobs.map((j) => j.overrides.join(" "))).toEqual([
      "model.params.C=0.1 model.params.max_iter=50",
      "model.params.C=0.1 model.params.max_iter=100",
      "model.params.C=1 model.params.max_iter=50",
      "model.params.C=1 model.params.max_iter=100",
      "model.params.C=10 model.params.max_iter=50",
      "model.params.C=10 model.params.max_iter=100"
    ]);
    expect((composed.jobs[5].loaded.config.model as {params: unknown}).params).toEqual({
      C: 10,
      max_iter: 100
    });
    expect((await composeSweep(join(dir, "mlbook.yaml"), ["~sweep"], sweepOptions)).jobs).toHaveLength(1);
  });
});
