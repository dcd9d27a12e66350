import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {tinyConfig, tinyProject} from "../../helpers/project.ts";

interface Stored {
  metric: string;
  signedCoefficients?: {feature: string; class: string | null; value: number}[];
}

/** The importances artifact a run of this config stores. */
async function importancesOf(config: string): Promise<Stored> {
  const dir = tinyProject();
  writeFileSync(join(dir, "mlbook.yaml"), config);
  const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
  const key = result.steps.find((s) => s.name === "evaluate")!.key;
  const file = join(dir, ".mlbook", "store", "evaluate", key, "importances.json");
  return JSON.parse(readFileSync(file, "utf8")) as Stored;
}
const importanceMetric = async (config: string) => (await importancesOf(config)).metric;

describe("permutation importance", () => {
  it("is measured on balanced accuracy by default, on the selection metric when there is one, or as set", async () => {
    expect(await importanceMetric(tinyConfig)).toBe("balanced_accuracy");
    const selected = `${tinyConfig}evaluate: {cv: {folds: 3}}\nselection: {metric: f1_macro}\n`;
    expect(await importanceMetric(selected)).toBe("f1_macro");
    const chosen = `${tinyConfig}evaluate: {permutation: {metric: log_loss}}\n`;
    expect(await importanceMetric(chosen)).toBe("log_loss");
  }, 60_000);

  it("keeps a linear model's coefficients with their signs, per class and per one-hot part", async () => {
    const {signedCoefficients: signed} = await importancesOf(tinyConfig);
    // tinyCsv: 3 classes (a, b, c); features x1, x2 and colour's one-hot parts.
    expect([...new Set(signed!.map((d) => d.class))]).toEqual(["a", "b", "c"]);
    const features = [...new Set(signed!.map((d) => d.feature))];
    expect(features).toEqual(expect.arrayContaining(["x1", "x2"]));
    expect(features.some((f) => f.startsWith("colour"))).toBe(true);
    expect(signed).toHaveLength(3 * features.length);
    // x1 grows with the class index (k * 2 + noise): it lowers a's log-odds and raises c's.
    const x1 = (c: string) => signed!.find((d) => d.feature === "x1" && d.class === c)!.value;
    expect(x1("a")).toBeLessThan(0);
    expect(x1("c")).toBeGreaterThan(0);
  }, 60_000);
});
