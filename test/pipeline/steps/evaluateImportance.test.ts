import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {tinyConfig, tinyProject} from "../../helpers/project.ts";

/** Which metric permutation importance is measured on, as the importances artifact names it. */
async function importanceMetric(config: string): Promise<string> {
  const dir = tinyProject();
  writeFileSync(join(dir, "mlbook.yaml"), config);
  const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
  const key = result.steps.find((s) => s.name === "evaluate")!.key;
  const file = join(dir, ".mlbook", "store", "evaluate", key, "importances.json");
  return (JSON.parse(readFileSync(file, "utf8")) as {metric: string}).metric;
}

describe("permutation importance", () => {
  it("is measured on balanced accuracy by default, on the selection metric when there is one, or as set", async () => {
    expect(await importanceMetric(tinyConfig)).toBe("balanced_accuracy");
    const selected = `${tinyConfig}evaluate: {cv: {folds: 3}}\nselection: {metric: f1_macro}\n`;
    expect(await importanceMetric(selected)).toBe("f1_macro");
    const chosen = `${tinyConfig}evaluate: {permutation: {metric: log_loss}}\n`;
    expect(await importanceMetric(chosen)).toBe("log_loss");
  }, 60_000);
});
