import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {eda} from "../../src/loaders/eda.ts";
import {tinyConfig, tinyProject} from "../helpers/project.ts";

/** The Data page's data: what a regression's target is correlated with, and a classifier's is not. */
describe("the eda page data", () => {
  it("correlates a numeric target with the features, first; a class label stays out", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "reg.yaml"),
      "name: tinyreg\ndata: {source: data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    const reg = await eda({name: "tinyreg", loaded: await loadConfig(join(dir, "reg.yaml"))});
    expect(reg.correlation.columns).toEqual(["x2", "x1"]);
    expect(reg.correlation.values[0][0]).toBeCloseTo(1, 12);
    expect(Math.abs(reg.correlation.values[0][1] ?? 0)).toBeGreaterThan(0.3); // x2 follows the class, as x1 does
    writeFileSync(join(dir, "mlbook.yaml"), tinyConfig);
    const cls = await eda({name: "tiny", loaded: await loadConfig(join(dir, "mlbook.yaml"))});
    expect(cls.correlation.columns).toEqual(["x1", "x2"]);
  }, 60_000);
});
