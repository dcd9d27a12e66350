import {appendFileSync, copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {describe, expect, it} from "vitest";
import {writeCarBatches, writePenguinBatches} from "../helpers/batches.ts";
import {copyOfRepo, mlbook, repoRoot} from "../helpers/project.ts";

type Fingerprints = Record<string, string>;

describe("loader fingerprints", () => {
  it("go stale on exactly what each loader shows: its steps' keys, its own code, its tracking data", async () => {
    // A copy of the repo, whose own engine modules fingerprint its own loaders.
    const dir = copyOfRepo();
    const load = <T>(path: string) => import(pathToFileURL(join(dir, "src", path)).href) as Promise<T>;
    const {loaderFingerprint} =
      await load<typeof import("../../src/site/fingerprint.ts")>("site/fingerprint.ts");
    const {listLoaders} = await load<typeof import("../../src/site/loaders.ts")>("site/loaders.ts");
    const {clearCodeDigests} = await load<typeof import("../../src/pipeline/engine/codeDigest.ts")>(
      "pipeline/engine/codeDigest.ts"
    );
    const config = join(dir, "mlbook.yaml");
    const loaders = listLoaders(dir, {penguins: config}, config).filter((l) => l.pipeline === "penguins");
    const fingerprints = async (): Promise<Fingerprints> => {
      clearCodeDigests();
      const out: Fingerprints = {};
      for (const l of loaders) out[l.target] = (await loaderFingerprint(dir, l)).fingerprint;
      return out;
    };
    const changed = (a: Fingerprints, b: Fingerprints) =>
      Object.keys(a)
        .filter((k) => a[k] !== b[k])
        .map((k) => k.replace("data/penguins/", ""))
        .sort();

    expect((await mlbook(dir, ["run"], dir)).status).toBe(0); // records a run, registers penguins-model v1
    const before = await fingerprints();
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(7);
    appendFileSync(join(dir, "src", "pipeline", "steps", "check.ts"), "\n// edited\n");
    const afterCheck = await fingerprints();
    expect(changed(before, afterCheck)).toEqual(["checks.json", "experiments.json", "run.json"]);

    appendFileSync(join(dir, "src", "loaders", "checks.ts"), "\n// edited\n");
    const afterLoader = await fingerprints();
    expect(changed(afterCheck, afterLoader)).toEqual(["checks.json"]);

    // What pages show from tracking: a moved alias (Model card), a new run (Experiments).
    expect((await mlbook(dir, ["models", "alias", "penguins-model", "1", "champion"], dir)).status).toBe(0);
    const afterAlias = await fingerprints();
    expect(changed(afterLoader, afterAlias)).toEqual(["model.json"]);
    // A monitored batch (Monitoring, and the overview's latest batch), which no step key or run tells.
    writePenguinBatches(dir);
    expect((await mlbook(dir, ["monitor", "penguins-model", "same.json"], dir)).status).toBe(0);
    const afterBatch = await fingerprints();
    expect(changed(afterAlias, afterBatch)).toEqual(["monitoring.json", "run.json"]);
    expect((await mlbook(dir, ["run", "--steps", "train", "model.params.C=0.5"], dir)).status).toBe(0);
    // The new run made model:v2, which the Model card lists among the model's versions.
    expect(changed(afterBatch, await fingerprints())).toEqual(["experiments.json", "model.json"]);
  });

  it("make the home page, which shows every pipeline, stale on a run, batch, alias or config of any of them", async () => {
    const dir = copyOfRepo();
    mkdirSync(join(dir, "pipelines"));
    copyFileSync(join(repoRoot, "pipelines", "cars.yaml"), join(dir, "pipelines", "cars.yaml"));
    cpSync(join(repoRoot, "pipelines", "reference"), join(dir, "pipelines", "reference"), {recursive: true});
    const load = <T>(path: string) => import(pathToFileURL(join(dir, "src", path)).href) as Promise<T>;
    const {loaderFingerprint} =
      await load<typeof import("../../src/site/fingerprint.ts")>("site/fingerprint.ts");
    const {listLoaders} = await load<typeof import("../../src/site/loaders.ts")>("site/loaders.ts");
    const {listPipelines} = await load<typeof import("../../src/site/pipelines.ts")>("site/pipelines.ts");
    const pipelines = listPipelines(dir);
    expect(Object.keys(pipelines)).toEqual(["penguins", "cars"]);
    const loaders = listLoaders(dir, pipelines, join(dir, "mlbook.yaml")).filter((l) =>
      [
        "data/home.json",
        "data/penguins/run.json",
        "data/cars/run.json",
        "data/cars/experiments.json"
      ].includes(l.target)
    );
    expect(loaders).toHaveLength(4);
    const fingerprints = async (): Promise<Fingerprints> => {
      const out: Fingerprints = {};
      for (const l of loaders)
        out[l.target.replace("data/", "")] = (await loaderFingerprint(dir, l)).fingerprint;
      return out;
    };
    const changed = (a: Fingerprints, b: Fingerprints) =>
      Object.keys(a)
        .filter((k) => a[k] !== b[k])
        .sort();
    const cars = ["-c", "pipelines/cars.yaml"];
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0);
    expect((await mlbook(dir, ["run", ...cars], dir)).status).toBe(0);
    const before = await fingerprints();

    // A run of cars with nothing to compute still records a run: the home page lists cars' last run.
    expect((await mlbook(dir, ["run", ...cars], dir)).status).toBe(0);
    const afterRun = await fingerprints();
    expect(changed(before, afterRun)).toEqual(["cars/experiments.json", "home.json"]);
    // A batch monitored against cars' model: cars' overview and the home page show its drift.
    writeCarBatches(dir);
    expect((await mlbook(dir, ["monitor", "model", "cars-same.json", ...cars], dir)).status).toBe(0);
    const afterBatch = await fingerprints();
    expect(changed(afterRun, afterBatch)).toEqual(["cars/run.json", "home.json"]);
    // An alias moved in the registry: the home page lists the registered versions' aliases.
    expect((await mlbook(dir, ["models", "alias", "penguins-model", "1", "champion"], dir)).status).toBe(0);
    const afterAlias = await fingerprints();
    expect(changed(afterBatch, afterAlias)).toEqual(["home.json"]);
    // cars' config edited: every page of cars that shows its run, and the home page, by cars' step keys.
    const config = join(dir, "pipelines", "cars.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("n_neighbors: 5", "n_neighbors: 7"));
    const home = loaders.find((l) => l.target === "data/home.json")!;
    const {keys} = await loaderFingerprint(dir, home);
    expect(Object.keys(keys)).toContain("cars/train");
    expect(Object.keys(keys)).toContain("penguins/train");
    expect(changed(afterAlias, await fingerprints())).toEqual([
      "cars/experiments.json",
      "cars/run.json",
      "home.json"
    ]);
  });
});
