import {readFileSync, readdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {writeCarBatches, writePenguinBatches} from "../helpers/batches.ts";
import {parse} from "yaml";
import {copyOfRepo, copyPipelines, mlbook, repoRoot, run} from "../helpers/project.ts";

interface Recorded {
  model: string;
  version: number;
  pipeline: string;
  file: string;
  rows: number;
  at: string;
  drifted: string[];
  report: {
    columns: {name: string; psi: number; p_value: number; flags: string[]}[];
    prediction: {flags: string[]};
    metrics: {
      rows: number;
      batch: Record<string, number>;
      test: Record<string, number>;
      flags: string[];
    } | null;
  };
}

describe("mlbook monitor", () => {
  let dir: string;
  beforeAll(async () => {
    dir = copyOfRepo();
    writePenguinBatches(dir);
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0);
  });

  it("flags exactly the two shifted columns (exit 3), and nothing in a resample of the data (exit 0)", async () => {
    const same = await mlbook(
      dir,
      ["monitor", "penguins-model@latest", "same.json", "--at", "2026-05-01"],
      dir
    );
    expect(same.stderr).toBe("");
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^no drift \(PSI ≥ 0\.2, missing ± 10%, unseen ≥ 5%\)$/m);
    expect(same.stdout).toMatch(/^monitor penguins-model:v1: same\.json, 200 rows at 2026-05-01 00:00$/m);

    const shifted = await mlbook(dir, ["monitor", "penguins-model:v1", "shifted.json", "--json"], dir);
    expect(shifted.status).toBe(3);
    const record = JSON.parse(shifted.stdout) as Recorded;
    const flagged = record.report.columns.filter((c) => c.flags.length).map((c) => c.name);
    expect(flagged).toEqual(["Flipper Length (mm)", "Body Mass (g)"]);
    expect(record.drifted.filter((d) => d !== "prediction")).toEqual(flagged);
    // Every input the model reads is compared, the step's beak_ratio among them.
    expect(record.report.columns.map((c) => c.name)).toEqual([
      "Island",
      "Beak Length (mm)",
      "Beak Depth (mm)",
      "Flipper Length (mm)",
      "Body Mass (g)",
      "Sex",
      "beak_ratio"
    ]);
    for (const c of record.report.columns.filter((c) => c.flags.length))
      expect(c.flags[0]).toMatch(/^PSI \d+(\.\d+)? ≥ 0\.2$/);
    expect(record).toMatchObject({model: "penguins-model", version: 1, pipeline: "penguins", rows: 200});

    const human = await mlbook(dir, ["monitor", "penguins-model:v1", "shifted.json"], dir);
    expect(human.status).toBe(3);
    expect(human.stdout).toMatch(
      /^drift: Flipper Length \(mm\), Body Mass \(g\)(, prediction)? \(PSI ≥ 0\.2, .*\): exit 3$/m
    );
  });

  it("monitors a regression model (cars): numeric predictions, R² and RMSE on labelled rows", async () => {
    copyPipelines(dir);
    writeCarBatches(dir);
    const cars = ["--config", "pipelines/cars.yaml"];
    expect((await mlbook(dir, ["run", ...cars], dir)).status).toBe(0);
    const same = await mlbook(dir, ["monitor", "model", "cars-same.json", ...cars], dir);
    expect(same.stderr).toBe("");
    expect(same.status).toBe(0);
    const shifted = await mlbook(
      dir,
      ["monitor", "model", "cars-shifted.json", "--labels", "Miles_per_Gallon", "--json", ...cars],
      dir
    );
    expect(shifted.status).toBe(3);
    const record = JSON.parse(shifted.stdout) as Recorded & {
      report: {prediction: {kind: string; test: string; bins: unknown[]}};
    };
    expect(record).toMatchObject({model: "cars/model", version: 1, pipeline: "cars", rows: 150});
    expect(record.report.columns.filter((c) => c.flags.length).map((c) => c.name)).toEqual([
      "Horsepower",
      "Weight_in_lbs"
    ]);
    // The predictions are numbers: KS and decile bins, as any numeric column.
    expect(record.report.prediction).toMatchObject({kind: "numeric", test: "ks"});
    expect(record.report.prediction.bins).toHaveLength(10);
    const metrics = record.report.metrics!;
    expect(Object.keys(metrics.batch)).toEqual(expect.arrayContaining(["r2", "rmse", "mae"]));
    expect(metrics.test.r2).toBeGreaterThan(0.8);
    // The target is missing in some rows: those are left out of the metrics.
    expect(metrics.rows).toBeLessThan(150);
    expect(metrics.rows).toBeGreaterThan(140);
  });

  it("compares a labelled batch's metrics with the model's test metrics, and flags a drop past the config's allowance", async () => {
    const labelled = await mlbook(
      dir,
      ["monitor", "penguins-model", "shifted.json", "--labels", "Species", "--json"],
      dir
    );
    const record = JSON.parse(labelled.stdout) as Recorded;
    const metrics = record.report.metrics!;
    expect(metrics.rows).toBe(200);
    expect(metrics.test.f1_macro).toBeGreaterThan(0.9);
    expect(metrics.batch.f1_macro).toBeLessThan(metrics.test.f1_macro);
    expect(metrics.flags).toEqual([]);

    const config = join(dir, "mlbook.yaml");
    const yaml = readFileSync(config, "utf8");
    try {
      writeFileSync(config, `${yaml}monitor:\n  psi: 50\n  metrics: {f1_macro: 0.001}\n`);
      const strict = await mlbook(
        dir,
        ["monitor", "penguins-model", "shifted.json", "--labels", "Species"],
        dir
      );
      expect(strict.status).toBe(3);
      expect(strict.stdout).toMatch(
        /^ {4}f1_macro [\d.]+ is [\d.e-]+ below test [\d.]+ \(allowed 0\.001\)$/m
      );
      expect(strict.stdout).toMatch(/^drift: metrics \(PSI ≥ 50,/m);
      // Without labels, the same thresholds see nothing.
      expect((await mlbook(dir, ["monitor", "penguins-model", "shifted.json"], dir)).status).toBe(0);
      writeFileSync(config, `${yaml}monitor:\n  metrics: {nonsense: 0.1}\n`);
      const bad = await mlbook(dir, ["monitor", "penguins-model", "same.json", "--labels", "Species"], dir);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(
        /monitor\.metrics\.nonsense: not a metric of this model \(it has accuracy, /
      );
    } finally {
      writeFileSync(config, yaml);
    }
  });

  it("records each batch in tracking: --history lists them by time, and a rebuilt database keeps them", async () => {
    const history = await mlbook(dir, ["monitor", "penguins-model", "--history", "--json"], dir);
    expect(history.status).toBe(0);
    const batches = JSON.parse(history.stdout) as Recorded[];
    expect(batches[0]).toMatchObject({file: "same.json", at: "2026-05-01T00:00:00.000Z", drifted: []});
    expect(batches.filter((b) => b.file === "shifted.json").length).toBeGreaterThanOrEqual(3);
    const table = await mlbook(dir, ["monitor", "penguins-model", "--history"], dir);
    expect(table.stdout.split("\n")[0]).toMatch(/^AT +VERSION +BATCH +ROWS +DIGEST +F1_MACRO +DRIFTED$/);
    expect(table.stdout).toMatch(/^2026-05-01 00:00 +v1 +same\.json +200 +[0-9a-f]{8} +— *$/m);

    rmSync(join(dir, ".mlbook", "tracking.duckdb"));
    const rebuilt = await mlbook(dir, ["tracking", "rebuild"], dir);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toContain(`and ${batches.length} monitored batches`);
    const again = JSON.parse(
      (await mlbook(dir, ["monitor", "penguins-model", "--history", "--json"], dir)).stdout
    );
    expect(again).toEqual(batches);
  });

  it("runs as the documented scheduled job (docs/ci/monitor.yml): passes a like batch, retrains on drift, fails on a real error", async () => {
    interface Step {
      id?: string;
      name?: string;
      if?: string;
      run?: string;
    }
    const workflow = parse(readFileSync(join(repoRoot, "docs", "ci", "monitor.yml"), "utf8")) as {
      jobs: {monitor: {steps: Step[]}};
    };
    const steps = workflow.jobs.monitor.steps;
    const script = steps.find((s) => s.id === "monitor")!.run!;
    const retrain = steps.find((s) => s.name === "Retrain on drift")!;
    expect(retrain).toMatchObject({if: "steps.monitor.outputs.code == '3'", run: "npx mlbook run"});
    // The step's own script, as GitHub runs it (bash -eo pipefail), with this checkout's mlbook.
    const step = async (batch: string) => {
      const output = join(dir, `github-output-${batch}`);
      const shell = script
        .replaceAll("${{ steps.batch.outputs.file }}", batch)
        .replaceAll("npx mlbook", `"${process.execPath}" bin/mlbook.js`);
      const result = await run(dir, "bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", shell], {
        GITHUB_OUTPUT: output
      });
      return {status: result.status, output: readFileSync(output, "utf8")};
    };
    expect(await step("same.json")).toEqual({status: 0, output: "code=0\n"});
    expect(await step("shifted.json")).toEqual({status: 0, output: "code=3\n"});
    expect(await step("missing.json")).toEqual({status: 1, output: "code=1\n"});
  });

  it("refuses what it cannot compare, naming it: a missing labels column, a bad time, a model with no profile", async () => {
    const labels = await mlbook(dir, ["monitor", "penguins-model", "same.json", "--labels", "Nope"], dir);
    expect(labels.status).toBe(1);
    expect(labels.stderr).toMatch(
      /^error: same\.json: --labels Nope: no such column \(the input has Species, /m
    );
    const at = await mlbook(dir, ["monitor", "penguins-model", "same.json", "--at", "yesterday"], dir);
    expect(at.status).toBe(2);
    expect(at.stderr).toContain('invalid --at: "yesterday"');
    const store = join(dir, ".mlbook", "store", "train");
    const [key] = readdirSync(store);
    const bundle = JSON.parse(readFileSync(join(store, key, "model.json"), "utf8")) as Record<
      string,
      unknown
    >;
    delete bundle.reference;
    writeFileSync(join(dir, "old.json"), JSON.stringify(bundle));
    const old = await mlbook(dir, ["monitor", "old.json", "same.json"], dir);
    expect(old.status).toBe(1);
    expect(old.stderr).toContain("this model has no training profile to compare with");
    writeFileSync(
      join(dir, "hostile.json"),
      JSON.stringify({...bundle, reference: {rows: 1, columns: [{kind: "numeric"}]}})
    );
    const hostile = await mlbook(dir, ["monitor", "hostile.json", "same.json"], dir);
    expect(hostile.status).toBe(1);
    expect(hostile.stderr).toMatch(/the model's training profile is malformed at reference\.columns\.0\./);
  });
});
