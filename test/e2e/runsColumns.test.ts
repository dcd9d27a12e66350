import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/** `mlbook runs` over a folder holding a classification and a regression pipeline. */
describe("mlbook runs", () => {
  it("shows each task's headline metrics: accuracy and F1 beside R² and RMSE", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "reg.yaml"),
      "name: tinyreg\ndata: {source: data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    expect((await mlbook(dir, ["run", "-c", "reg.yaml"])).status).toBe(0);
    const out = (await mlbook(dir, ["runs"])).stdout.split("\n");
    expect(out[0]).toMatch(/^RUN +PIPELINE +STATUS +STARTED +ACCURACY +F1_MACRO +R2 +RMSE$/);
    const reg = out.find((l) => l.includes("tinyreg"))!;
    const cls = out.find((l) => l.includes("tiny "))!;
    // Regression: blank accuracy and F1, numbers under R² and RMSE; classification the other way.
    expect(reg).toMatch(/ok +\d\d-\d\d \d\d:\d\d +-?\d+\.\d{4} +\d+\.\d{4}$/);
    expect(cls).toMatch(/ok +\d\d-\d\d \d\d:\d\d +\d\.\d{4} +\d\.\d{4}$/);
  }, 60_000);
});
