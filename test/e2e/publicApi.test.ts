import {mkdirSync, symlinkSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, repoRoot, run, tinyProject} from "../helpers/project.ts";

describe("the public API from plain Node", () => {
  it("imports mlbook from an .mjs file (compiled JavaScript, no TypeScript loader), runs, tracks and scores", async () => {
    // The package's own build (bin/mlbook.js brings lib/ up to date, as npm install's prepare does).
    expect((await mlbook(repoRoot, ["--version"])).status).toBe(0);
    const dir = tinyProject();
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repoRoot, join(dir, "node_modules", "mlbook"));
    writeFileSync(
      join(dir, "score.mjs"),
      `import {join} from "node:path";
import {loadConfig, loadModel, runPipeline, trackingHooks, defineStep, defineModel, z} from "mlbook";

const loaded = await loadConfig("mlbook.yaml");
const result = await runPipeline(loaded, {hooks: [trackingHooks()]});
const train = result.steps.find((s) => s.name === "train");
const model = await loadModel(join(".mlbook", "store", "train", train.key, "model.json"));
const [row] = await model.predict([{x1: 4, x2: 1, colour: "blue"}]);
console.log(JSON.stringify({
  steps: result.steps.map((s) => s.name),
  accuracy: result.headline.accuracy,
  prediction: row.prediction,
  api: [typeof defineStep, typeof defineModel, typeof z.object]
}));
`
    );
    const out = await run(dir, process.execPath, ["score.mjs"]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const json = JSON.parse(out.stdout) as {
      steps: string[];
      accuracy: number;
      prediction: string;
      api: string[];
    };
    expect(json.steps).toEqual(["ingest", "clean", "split", "train", "evaluate"]);
    expect(json.accuracy).toBeGreaterThan(0.8);
    expect(json.prediction).toBe("c");
    expect(json.api).toEqual(["function", "function", "function"]);
    // The run was tracked: the CLI lists it.
    const runs = await mlbook(dir, ["runs", "--json"]);
    expect((JSON.parse(runs.stdout) as unknown[]).length).toBe(1);
  }, 120_000);
});
