import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {openDb} from "../../src/pipeline/engine/db.ts";
import {quoteString} from "../../src/pipeline/engine/sql.ts";
import {artifactFile, currentRun} from "../../src/loaders/currentRun.ts";
import {metrics} from "../../src/loaders/metrics.ts";
import {tinyConfig, tinyProject} from "../helpers/project.ts";

/** The predictions artifact's rows, in their order, as the page's row numbers count them. */
async function predictions(config: string): Promise<Record<string, unknown>[]> {
  const file = artifactFile(await currentRun(await loadConfig(config)), "predictions")!;
  const db = await openDb({files: [file]});
  try {
    return await db.rows(`SELECT * FROM read_parquet(${quoteString(file)})`);
  } finally {
    db.close();
  }
}

describe("the metrics page data: worst errors, baseline, calibration", () => {
  it("lists a classifier's misclassified test rows, the least probability for the true class first", async () => {
    const dir = tinyProject();
    // A weak model (strong regularisation): it gets some rows wrong.
    writeFileSync(join(dir, "mlbook.yaml"), tinyConfig.replace("C: 1.0", "C: 0.01"));
    const config = join(dir, "mlbook.yaml");
    const data = await metrics({name: "tiny", loaded: await loadConfig(config)});
    const rows = await predictions(config);
    expect(data.worst.length).toBeGreaterThan(0);
    expect(data.worst.length).toBeLessThanOrEqual(10);
    const wrong = rows.filter((r) => r.actual !== r.prediction).length;
    expect(data.worst.length).toBe(Math.min(10, wrong));
    for (const w of data.worst) {
      const row = rows[w.row as number];
      expect([w.actual, w.prediction]).toEqual([row.actual, row.prediction]);
      expect(w.actual).not.toBe(w.prediction);
      expect(w.p_actual).toBe(row[`proba_${String(row.actual)}`]);
    }
    const p = data.worst.map((w) => w.p_actual as number);
    expect(p).toEqual([...p].sort((a, b) => a - b));

    // The baseline: always the commonest test class, or the classes' shares as probabilities.
    const count = (c: string) => rows.filter((r) => r.actual === c).length;
    const shares = ["a", "b", "c"].map((c) => count(c) / rows.length);
    const byName = Object.fromEntries(data.baseline.map((b) => [b.metric, b]));
    expect(byName.accuracy.baseline).toBeCloseTo(Math.max(...shares), 12);
    expect(byName.accuracy.model).toBe(data.headline.accuracy);
    expect(byName.balanced_accuracy.baseline).toBeCloseTo(1 / 3, 12);
    expect(byName.log_loss.baseline).toBeCloseTo(-shares.reduce((s, x) => s + x * Math.log(x), 0), 12);
    // Calibration, three classes: the top probability against how often the top class was right.
    const bins = new Map<number, {p: number; hit: number; n: number}>();
    for (const r of rows) {
      const conf = Math.max(r.proba_a as number, r.proba_b as number, r.proba_c as number);
      const bin = Math.min(Math.floor(conf * 10), 9);
      const b = bins.get(bin) ?? {p: 0, hit: 0, n: 0};
      bins.set(bin, {p: b.p + conf, hit: b.hit + (r.actual === r.prediction ? 1 : 0), n: b.n + 1});
    }
    expect(data.calibration.map((c) => c.bin)).toEqual([...bins.keys()].sort((a, b) => a - b));
    for (const c of data.calibration) {
      const b = bins.get(c.bin)!;
      expect(c.rows).toBe(b.n);
      expect(c.predicted).toBeCloseTo(b.p / b.n, 12);
      expect(c.observed).toBeCloseTo(b.hit / b.n, 12);
    }
  }, 60_000);

  it("lists a regression's test rows by absolute error, largest first", async () => {
    const dir = tinyProject();
    const config = join(dir, "reg.yaml");
    writeFileSync(
      config,
      "name: tinyreg\ndata: {source: data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    const data = await metrics({name: "tinyreg", loaded: await loadConfig(config)});
    const rows = await predictions(config);
    expect(data.worst).toHaveLength(10);
    const errors = rows
      .filter((r) => r.actual !== null)
      .map((r) => Math.abs((r.prediction as number) - (r.actual as number)))
      .sort((a, b) => b - a);
    expect(data.worst.map((w) => Math.abs(w.error as number))).toEqual(errors.slice(0, 10));
    for (const w of data.worst)
      expect(w.error).toBeCloseTo((w.prediction as number) - (w.actual as number), 12);
    // The baseline predicts the test rows' mean: R² 0, RMSE their standard deviation.
    const actual = rows.filter((r) => r.actual !== null).map((r) => r.actual as number);
    const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
    const byName = Object.fromEntries(data.baseline.map((b) => [b.metric, b]));
    expect(byName.r2).toEqual({metric: "r2", model: data.headline.r2, baseline: 0});
    expect(byName.rmse.baseline).toBeCloseTo(
      Math.sqrt(actual.reduce((s, y) => s + (y - mean) ** 2, 0) / actual.length),
      12
    );
    expect(byName.mae.baseline).toBeCloseTo(
      actual.reduce((s, y) => s + Math.abs(y - mean), 0) / actual.length,
      12
    );
    expect(data.calibration).toEqual([]);
  }, 60_000);
});
