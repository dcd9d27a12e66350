import {describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/** A sweep's runs are variants: `mlbook status` goes on comparing with the pipeline's own last run. */
describe("mlbook status after a sweep", () => {
  it("names only what the override changes, not what the sweep's jobs varied", async () => {
    const dir = tinyProject();
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const sweep = await mlbook(dir, ["run", "-m", "model.type=logistic_regression,random_forest"]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const status = await mlbook(dir, ["status", "model.params.C=0.5"]);
    expect(status.stdout).toMatch(/\n {2}train +stale +\w+ +param model\.params\.C changed\n/);
    expect((await mlbook(dir, ["status"])).stdout).not.toMatch(/stale/);
  }, 120_000);
});
