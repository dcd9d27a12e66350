import {appendFileSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {describe, expect, it} from "vitest";
import {writePenguinBatches} from "../helpers/batches.ts";
import {copyOfRepo, mlbook} from "../helpers/project.ts";

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
    // A monitored batch (Monitoring), which no step key or run tells.
    writePenguinBatches(dir);
    expect((await mlbook(dir, ["monitor", "penguins-model", "same.json"], dir)).status).toBe(0);
    const afterBatch = await fingerprints();
    expect(changed(afterAlias, afterBatch)).toEqual(["monitoring.json"]);
    expect((await mlbook(dir, ["run", "--steps", "train", "model.params.C=0.5"], dir)).status).toBe(0);
    // The new run made model:v2, which the Model card lists among the model's versions.
    expect(changed(afterBatch, await fingerprints())).toEqual(["experiments.json", "model.json"]);
  });
});
