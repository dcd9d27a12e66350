import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyConfig, tinyCsv, tinyProject} from "../helpers/project.ts";

describe("binning a number (transform.columns.<name>.bins)", () => {
  it("learns the edges from the training rows into the bundle, and scores raw rows with them", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}transform:\n  columns:\n    x1: {bins: {n_bins: 3, strategy: uniform}, scale: none}\n`
    );
    const run = await mlbook(dir, ["run", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const train = (JSON.parse(run.stdout) as {steps: {name: string; key: string}[]}).steps.find(
      (s) => s.name === "train"
    )!;
    const bundle = JSON.parse(
      readFileSync(join(dir, ".mlbook", "store", "train", train.key, "model.json"), "utf8")
    ) as {transform: {columns: {name: string; bins?: {edges: number[]} | null; scale: unknown}[]}};
    const x1 = bundle.transform.columns.find((c) => c.name === "x1")!;
    expect(x1.bins?.edges).toHaveLength(4);
    expect(x1.scale).toBeNull();
    expect(bundle.transform.columns.find((c) => c.name === "x2")?.bins).toBeNull();
    // Raw rows in: x1 is binned by the stored edges (a value far past the last edge is the last bin).
    writeFileSync(join(dir, "new.csv"), tinyCsv(5).replace(/\n[^,\n]*,/, "\n1000,"));
    const scored = await mlbook(dir, ["predict", "--model", "model", "new.csv"]);
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stdout.trim().split("\n")).toHaveLength(6);
    // Other edges are another model: train runs again, naming the param.
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}transform:\n  columns:\n    x1: {bins: {n_bins: 4, strategy: uniform}, scale: none}\n`
    );
    const again = JSON.parse((await mlbook(dir, ["run", "--json"])).stdout) as {
      steps: {name: string; reason: string | null}[];
    };
    expect(again.steps.find((s) => s.name === "train")?.reason).toBe(
      "param transform.columns.x1.bins.n_bins changed"
    );
  });
});
