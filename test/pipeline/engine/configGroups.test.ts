import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {configError} from "../../helpers/configError.ts";
import {mlbook, tinyConfig, tinyProject} from "../../helpers/project.ts";

/** A tiny project whose model section comes from config groups: conf/model/{logistic,forest}.yaml. */
function project(config = tinyConfig.replace(/model:\n( {2}.*\n)+/, "")): string {
  const dir = tinyProject();
  mkdirSync(join(dir, "conf", "model"), {recursive: true});
  writeFileSync(
    join(dir, "conf", "model", "logistic.yaml"),
    "type: logistic_regression\nparams:\n  C: 0.5\n"
  );
  writeFileSync(
    join(dir, "conf", "model", "forest.yaml"),
    "type: random_forest\nparams:\n  n_estimators: 10\n  max_depth: 3\n  seed: ${split.seed}\n"
  );
  writeFileSync(join(dir, "mlbook.yaml"), `defaults:\n  - model: logistic\n${config}`);
  return dir;
}

describe("config groups (defaults:)", () => {
  it("composes the listed group file under its group's key, the file's own keys last", async () => {
    const dir = project();
    const loaded = await loadConfig(join(dir, "mlbook.yaml"));
    expect(loaded.config.model).toEqual({type: "logistic_regression", params: {C: 0.5}});
    // The config's own keys win over the group's, key by key.
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `defaults:\n  - model: logistic\n${tinyConfig.replace(/model:\n( {2}.*\n)+/, "")}model:\n  params:\n    max_iter: 50\n`
    );
    const merged = await loadConfig(join(dir, "mlbook.yaml"));
    expect(merged.config.model).toEqual({type: "logistic_regression", params: {C: 0.5, max_iter: 50}});
    expect(merged.files).toEqual([join(dir, "mlbook.yaml"), join(dir, "conf", "model", "logistic.yaml")]);
  });

  it("picks another file of a group from the command line, and adds a group with +", async () => {
    const dir = project();
    const forest = await loadConfig(join(dir, "mlbook.yaml"), ["model=forest"]);
    // ${split.seed} in the group file is the config's split.seed.
    expect(forest.config.model).toEqual({
      type: "random_forest",
      params: {n_estimators: 10, max_depth: 3, seed: 7}
    });
    const overridden = await loadConfig(join(dir, "mlbook.yaml"), ["model=forest", "split.seed=3"]);
    expect((overridden.config.model.params as {seed: number}).seed).toBe(3);
    // A group not in the defaults list: named with + (as Hydra), refused without.
    const plain = join(dir, "plain.yaml");
    writeFileSync(plain, tinyConfig.replace(/model:\n( {2}.*\n)+/, ""));
    expect((await loadConfig(plain, ["+model=forest"])).config.model.type).toBe("random_forest");
    expect(await configError(() => loadConfig(plain, ["model=forest"]))).toMatch(
      /^override model=forest: model is not in the defaults list of \S*plain\.yaml: add the group with \+model=forest$/
    );
  });

  it("sweeps over a group's files with -m, and each job names its file", async () => {
    const dir = project();
    const result = await mlbook(dir, ["run", "-m", "model=logistic,forest", "--json"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/job 1\/2 .*model=logistic/);
    expect(result.stderr).toMatch(/job 2\/2 .*model=forest/);
    // glob() over a group matches its files.
    const globbed = await mlbook(dir, ["run", "-m", "model=glob(f*)", "--json"]);
    expect(globbed.status, globbed.stderr).toBe(0);
    expect(globbed.stderr).toMatch(/job 1\/1 .*model=forest/);
  });

  it("prints the composed config with where each key came from (mlbook config), and reruns what a group file's edit changes", async () => {
    const dir = project();
    const shown = await mlbook(dir, ["config", "model=forest", "split.seed=3"]);
    expect(shown.status, shown.stderr).toBe(0);
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toBe("# defaults: model: forest");
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}seed: \$\{split\.seed\} +# conf\/model\/forest\.yaml:5$/)
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}seed: 3 +# override split\.seed=3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}source: data\.csv +# mlbook\.yaml:5$/));
    const resolved = await mlbook(dir, ["config", "model=forest", "split.seed=3", "--resolved"]);
    expect(resolved.stdout).toMatch(/^ {4}seed: 3 +# conf\/model\/forest\.yaml:5$/m);

    // The group file is part of the config: editing it reruns train, even on the receipt's path.
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const again = await mlbook(dir, ["run", "--json"]);
    expect(
      (JSON.parse(again.stdout) as {steps: {status: string}[]}).steps.every((s) => s.status === "fresh")
    ).toBe(true);
    writeFileSync(
      join(dir, "conf", "model", "logistic.yaml"),
      "type: logistic_regression\nparams:\n  C: 0.25\n"
    );
    const edited = JSON.parse((await mlbook(dir, ["run", "--json"])).stdout) as {
      steps: {name: string; reason: string | null}[];
    };
    expect(edited.steps.find((s) => s.name === "train")?.reason).toBe("param model.params.C changed");
  });

  it("names the group, the missing file and the files there are", async () => {
    const dir = project();
    expect(await configError(() => loadConfig(join(dir, "mlbook.yaml"), ["model=forrest"]))).toMatch(
      /^override model=forrest: no file forrest\.yaml in config group model \(\S*conf\/model: forest, logistic\); did you mean forest\?$/
    );
    writeFileSync(join(dir, "mlbook.yaml"), `defaults:\n  - model: ridge\n  - data: x\n${tinyConfig}`);
    expect(await configError(() => loadConfig(join(dir, "mlbook.yaml")))).toMatch(
      /^\S*mlbook\.yaml: no file ridge\.yaml in config group model \(\S*conf\/model: forest, logistic\)$/
    );
    writeFileSync(join(dir, "mlbook.yaml"), `defaults: model\n${tinyConfig}`);
    expect(await configError(() => loadConfig(join(dir, "mlbook.yaml")))).toMatch(
      /^\S*mlbook\.yaml:1:1: invalid defaults: "model" \(expected a list/
    );
    // A bad value in a group file is named by that file and line.
    writeFileSync(
      join(dir, "conf", "model", "logistic.yaml"),
      "type: logistic_regression\nparams:\n  C: -1\n"
    );
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `defaults:\n  - model: logistic\n${tinyConfig.replace(/model:\n( {2}.*\n)+/, "")}`
    );
    expect(await configError(() => loadConfig(join(dir, "mlbook.yaml")))).toMatch(
      /^\S*conf\/model\/logistic\.yaml:3:3: invalid model\.params\.C/
    );
  });
});

describe("interpolation (${key})", () => {
  const config = (extra: string) => {
    const dir = tinyProject();
    writeFileSync(join(dir, "mlbook.yaml"), `${tinyConfig}${extra}`);
    return join(dir, "mlbook.yaml");
  };

  it("takes another key's value as it is, or as text inside a longer text", async () => {
    const file = config("train:\n  seed: ${split.seed}\ndescription: seed ${split.seed} of ${name}\n");
    const loaded = await loadConfig(file, ["split.seed=11"]);
    expect(loaded.config.train.seed).toBe(11);
    expect(loaded.config.description).toBe("seed 11 of tiny");
    expect((await loadConfig(config('description: "costs \\\\${x}"\n'))).config.description).toBe(
      "costs ${x}"
    );
  });

  it("refuses a missing key, a cycle and a resolver, naming the key that holds the reference", async () => {
    expect(await configError(() => loadConfig(config("train:\n  seed: ${split.sed}\n")))).toMatch(
      /^\S*mlbook\.yaml:\d+:3: train\.seed: \$\{split\.sed\} names no key of the config \(split\.sed is not there\)$/
    );
    expect(
      await configError(() => loadConfig(config("description: ${title}\ntitle: ${description}\n")))
    ).toMatch(/refers back to itself \((description → title → description|title → description → title)\)/);
    // References that double with every line (a "billion laughs" of ${…}) stop at 1 MiB.
    const doubling = ["description: ${k30}", "k0: xxxxxxxxxx"];
    for (let i = 1; i <= 30; ++i) doubling.push(`k${i}: "\${k${i - 1}}\${k${i - 1}}"`);
    expect(await configError(() => loadConfig(config(`${doubling.join("\n")}\n`)))).toMatch(
      /^\S*mlbook\.yaml:\d+:1: description: references expand the config past 1024 KiB/
    );
    expect(await configError(() => loadConfig(config("description: ${env:HOME}\n")))).toMatch(
      /description: \$\{env:HOME\} uses a resolver; a config refers only to its own keys/
    );
  });
});
