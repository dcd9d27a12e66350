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

describe("the metrics page data: worst errors", () => {
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
  }, 60_000);
});
