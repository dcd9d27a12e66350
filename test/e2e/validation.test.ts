import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {openDb} from "../../src/pipeline/engine/db.ts";
import {quoteString} from "../../src/pipeline/engine/sql.ts";
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
    const table = (await mlbook(dir, ["runs"])).stdout.split("\n");
    expect(table[0]).toMatch(/^RUN +PIPELINE +STATUS +STARTED +ACCURACY +F1_MACRO +VAL_ACCURACY$/);
    expect(table[1]).toMatch(new RegExp(` ${metrics.val_accuracy.toFixed(4)}$`));
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

  it("is what boosting's early stopping watches: its first score is the training prior's loss on the validation rows", async () => {
    const dir = tinyProject();
    // Classes of unequal size, split without stratifying: each held-out set has its own shares.
    const lines = readFileSync(join(dir, "data.csv"), "utf8").trim().split("\n");
    writeFileSync(
      join(dir, "data.csv"),
      `${[lines[0], ...lines.slice(1).filter((l, i) => !l.endsWith(",c") || i % 4 === 0)].join("\n")}\n`
    );
    writeFileSync(
      join(dir, "mlbook.yaml"),
      tinyConfig
        .replace("test_size: 0.25", "test_size: 0.25\n  validation_size: 0.2\n  stratify: false")
        .replace(
          /model:\n( {2}.*\n)+/,
          "model:\n  type: hist_gradient_boosting\n  params: {early_stopping: true, n_iter_no_change: 3, max_iter: 40}\n"
        )
    );
    const run = await mlbook(dir, ["run", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const keys = Object.fromEntries(
      (JSON.parse(run.stdout) as {steps: {name: string; key: string}[]}).steps.map((s) => [s.name, s.key])
    );
    const store = join(dir, ".mlbook", "store");
    const bundle = JSON.parse(readFileSync(join(store, "train", keys.train, "model.json"), "utf8")) as {
      estimator: {state: {validationScore: number[]}};
    };
    const labels = async (table: string) => {
      const file = join(store, "split", keys.split, `${table}.parquet`);
      const db = await openDb({files: [file]});
      try {
        return (await db.rows<{label: string}>(`SELECT label FROM read_parquet(${quoteString(file)})`)).map(
          (r) => r.label
        );
      } finally {
        db.close();
      }
    };
    const train = await labels("train");
    const validation = await labels("validation");
    // Before any tree the model predicts the training rows' class shares; its validation score is
    // minus the log loss of those shares on the validation rows (not on training rows it held out).
    const share = (c: string) => train.filter((l) => l === c).length / train.length;
    const expected = -validation.reduce((sum, l) => sum - Math.log(share(l)), 0) / validation.length;
    expect(bundle.estimator.state.validationScore[0]).toBeCloseTo(expected, 12);
  });
});
