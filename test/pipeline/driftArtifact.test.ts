import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import type {CheckReport} from "../../src/pipeline/steps/checks/report.ts";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {ConfigError} from "../../src/pipeline/errors.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {type RunResult} from "../../src/pipeline/engine/runTypes.ts";
import {trackingHooks} from "../../src/pipeline/tracking/trackingHooks.ts";
import {tinyConfig, tinyCsv, tinyProject} from "../helpers/project.ts";

const withDrift = (artifact: string) =>
  `${tinyConfig}check:\n  severity: warn\n  drift:\n    artifact: "${artifact}"\n    severity: warn\n`;

/** Runs are tracked: the reference artifact resolves through the tracking database. */
const tracked = {hooks: [trackingHooks()]};

function report(dir: string, result: RunResult): CheckReport {
  const step = result.steps.find((s) => s.name === "check")!;
  return JSON.parse(readFileSync(join(dir, ".mlbook", "store", "check", step.key, "report.json"), "utf8"));
}

describe("drift against an earlier artifact (check.drift.artifact)", () => {
  it("compares the data with a recorded version, and sees drift once the data moves", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    await runPipeline(await loadConfig(config), tracked); // records clean_data:v1
    writeFileSync(config, withDrift("clean_data:v1"));
    const same = await runPipeline(await loadConfig(config), tracked);
    const unchanged = report(dir, same);
    expect(unchanged.drift.map((d) => d.column).sort()).toEqual(["colour", "label", "x1", "x2"]);
    expect(unchanged.drift.every((d) => !d.drifted && d.p_value !== null && d.p_value > 0.5)).toBe(true);

    // x1 shifted by 3: the reference stays clean_data:v1 while the new data is clean_data:v2.
    const shifted = tinyCsv()
      .split("\n")
      .map((line, i) => {
        if (i === 0 || !line) return line;
        const [x1, ...rest] = line.split(",");
        return [x1 === "" ? "" : (Number(x1) + 3).toFixed(3), ...rest].join(",");
      })
      .join("\n");
    writeFileSync(join(dir, "data.csv"), shifted);
    const moved = await runPipeline(await loadConfig(config), tracked);
    expect(moved.steps.find((s) => s.name === "check")?.status).toBe("ran");
    const drift = report(dir, moved).drift;
    expect(drift.find((d) => d.column === "x1")).toMatchObject({test: "ks", drifted: true});
    expect(drift.find((d) => d.column === "x2")?.drifted).toBe(false);
    // The reference is data: naming the same content again reuses the stored check.
    expect(
      (await runPipeline(await loadConfig(config), tracked)).steps.find((s) => s.name === "check")?.status
    ).toBe("fresh");
  });

  it("an artifact that does not exist, or is not a dataset, is a config error", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    await runPipeline(await loadConfig(config), tracked);
    writeFileSync(config, withDrift("nothing:v1"));
    await expect(runPipeline(await loadConfig(config), tracked)).rejects.toThrow(/nothing/);
    writeFileSync(config, withDrift("model:v1"));
    const error = await runPipeline(await loadConfig(config), tracked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "invalid check.drift.artifact: model:v1 is tiny/model:v1, a model, not a dataset"
    );
  });

  it("takes a bare name as the pipeline's own artifact, even when another pipeline of the folder made one since, and another's by its full name", async () => {
    const dir = tinyProject();
    const config = join(dir, "mlbook.yaml");
    const other = join(dir, "other.yaml");
    writeFileSync(other, tinyConfig.replace("name: tiny", "name: other").replace("seed: 7", "seed: 8"));
    await runPipeline(await loadConfig(config), tracked); // tiny/clean_data:v1
    writeFileSync(join(dir, "data.csv"), tinyCsv(60, 3));
    await runPipeline(await loadConfig(other), tracked); // other/clean_data:v1, newer
    const reference = async (ref: string) => {
      writeFileSync(config, withDrift(ref));
      const run = await runPipeline(await loadConfig(config), tracked);
      expect(run.steps.find((s) => s.name === "check")?.status).toBe("ran");
      return report(dir, run).drift[0].reference_rows;
    };
    // tiny's own clean_data is the first data (150 rows); other's the new data (60 rows).
    const own = await reference("clean_data:latest");
    const others = await reference("other/clean_data:latest");
    expect(others).toBeLessThan(own);
    expect(await reference("tiny/clean_data:v1")).toBe(own);
    writeFileSync(config, withDrift("other/clean_data:v2"));
    await expect(runPipeline(await loadConfig(config), tracked)).rejects.toThrow(
      "other/clean_data:v2: no such version (have v1)"
    );
  });
});
