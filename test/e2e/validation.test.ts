import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyConfig, tinyProject} from "../helpers/project.ts";

interface JsonRun {
  metrics: Record<string, number>;
}

describe("the validation split (split.validation_size)", () => {
  it("is scored beside the test rows (val_<metric>), tracked, and never the test rows' numbers", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "mlbook.yaml"),
      tinyConfig.replace("test_size: 0.25", "test_size: 0.25\n  validation_size: 0.2")
    );
    const run = await mlbook(dir, ["run", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const {metrics} = JSON.parse(run.stdout) as JsonRun;
    for (const name of ["accuracy", "f1_macro", "log_loss"]) {
      expect(metrics[`val_${name}`], name).toBeTypeOf("number");
      expect(metrics[name], name).toBeTypeOf("number");
    }
    // 150 rows: 30 validation, 38 test; the two sets differ, and so (here) does a metric.
    expect(metrics.val_log_loss).not.toBe(metrics.log_loss);
    const listed = JSON.parse((await mlbook(dir, ["runs", "--json"])).stdout) as {
      metrics: Record<string, number>;
    }[];
    expect(listed[0].metrics.val_accuracy).toBe(metrics.val_accuracy);
    // Without a validation split there are none.
    const plain = tinyProject();
    const none = JSON.parse((await mlbook(plain, ["run", "--json"])).stdout) as JsonRun;
    expect(Object.keys(none.metrics).filter((k) => k.startsWith("val_"))).toEqual([]);
  });

  it("picks a sweep's winner by the validation metric with selection.on: validation", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig.replace("test_size: 0.25", "test_size: 0.25\n  validation_size: 0.2")}selection: {metric: log_loss, on: validation}\n`
    );
    const sweep = await mlbook(dir, ["run", "-m", "model.params.C=0.001,1"]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const sweeps = JSON.parse((await mlbook(dir, ["sweeps", "--json"])).stdout) as {
      metric: string;
      best: {run: string; value: number};
    }[];
    expect(sweeps[0].metric).toBe("val_log_loss");
    const runs = JSON.parse((await mlbook(dir, ["runs", "--json"])).stdout) as {
      id: string;
      metrics: Record<string, number>;
    }[];
    const jobs = runs.filter((r) => r.metrics.val_log_loss !== undefined);
    const lowest = Math.min(...jobs.map((r) => r.metrics.val_log_loss));
    expect(sweeps[0].best.value).toBe(lowest);
    // Selecting on validation needs a validation split: a config error, before anything runs.
    writeFileSync(join(dir, "plain.yaml"), `${tinyConfig}selection: {metric: accuracy, on: validation}\n`);
    const refused = await mlbook(dir, ["run", "-c", "plain.yaml"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/selection\.on.*set split\.validation_size/);
  });
});
