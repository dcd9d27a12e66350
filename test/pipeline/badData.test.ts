import {existsSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {DataError} from "../../src/pipeline/errors.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {mlbook, tinyConfig, tinyCsv, tinyProject} from "../helpers/project.ts";

/** Runs the tiny project with a replaced data file and config; returns the error it stops with. */
async function failure(
  csv: string | Uint8Array,
  config = tinyConfig
): Promise<{error: DataError; dir: string}> {
  const dir = tinyProject();
  writeFileSync(join(dir, "data.csv"), csv);
  writeFileSync(join(dir, "mlbook.yaml"), config);
  try {
    await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return {error: error as DataError, dir};
  }
  throw new Error("expected the run to fail");
}

/** No half-written entry anywhere: the temp folder is empty and every stored entry has its manifest. */
function expectNoPartialEntries(dir: string): void {
  const root = join(dir, ".mlbook");
  if (existsSync(join(root, "tmp"))) expect(readdirSync(join(root, "tmp"))).toEqual([]);
  if (!existsSync(join(root, "store"))) return;
  for (const step of readdirSync(join(root, "store"))) {
    for (const key of readdirSync(join(root, "store", step)))
      expect(existsSync(join(root, "store", step, key, "manifest.json"))).toBe(true);
  }
}

describe("bad data", () => {
  it("a missing target column names the file and the column", async () => {
    const {error, dir} = await failure("a,b\n1,2\n3,4\n");
    expect(error.message).toMatch(
      /^clean \(data\.csv\): data\.target: column "label" is not in the data \(columns: a, b\)$/
    );
    expect(existsSync(join(dir, ".mlbook", "store", "clean"))).toBe(false);
    expectNoPartialEntries(dir);
  });

  it("a target of the wrong type for the task names the file and the column", async () => {
    const {error, dir} = await failure(
      "x,label\n" + Array.from({length: 40}, (_, i) => `${i},${i % 2 ? "red" : "blue"}`).join("\n") + "\n",
      tinyConfig
        .replace("  target: label\n", "  target: label\n  task: regression\n")
        .replace(/model:[\s\S]*$/, "model:\n  type: ridge\n")
    );
    expect(error.message).toBe(
      'train (data.csv): data.target: column "label" has type VARCHAR, but data.task is regression (expected a number)'
    );
    expect(existsSync(join(dir, ".mlbook", "store", "train"))).toBe(false);
    expectNoPartialEntries(dir);
  });

  it("a value that does not convert to a declared type names the file, the column and the value", async () => {
    const {error} = await failure(
      "x,label\n1,a\n2,b\nlots,a\n",
      tinyConfig + "clean:\n  columns:\n    x: {cast: DOUBLE}\n"
    );
    expect(error.message).toBe(
      'clean (data.csv): clean.columns.x.cast: value "lots" does not convert to DOUBLE'
    );
  });

  it("an empty file is refused at ingest", async () => {
    const {error, dir} = await failure("");
    expect(error.message).toMatch(/^ingest \(data\.csv\): /);
    expect(existsSync(join(dir, ".mlbook", "store", "ingest"))).toBe(false);
    expectNoPartialEntries(dir);
  });

  it("a file that is not CSV is refused at ingest", async () => {
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0, 1,
      0xc3, 0x28
    ]);
    const {error, dir} = await failure(png);
    expect(error.message).toMatch(/^ingest \(data\.csv\): cannot read as csv: /);
    expectNoPartialEntries(dir);
  });

  it("a single-class target names the file and the column", async () => {
    const {error, dir} = await failure(
      "x,label\n" + Array.from({length: 30}, (_, i) => `${i},same`).join("\n") + "\n"
    );
    expect(error.message).toBe(
      'train (data.csv): data.target: column "label" has a single class ("same") in the training rows: nothing to classify'
    );
    expectNoPartialEntries(dir);
  });

  it("an infinite feature names the feature, its column and the training row", async () => {
    const {error, dir} = await failure(
      tinyCsv(),
      tinyConfig.replace(
        "split:",
        "clean:\n  derive:\n    spike: \"CASE WHEN x2 > 1.5 THEN 'inf'::DOUBLE ELSE x2 END\"\nsplit:"
      )
    );
    expect(error.message).toMatch(
      /^train \(data\.csv\): feature "spike" is Infinity in training row \d+: no model fits an infinite value/
    );
    expectNoPartialEntries(dir);
  });

  it("a missing value a model cannot take names the feature and row and says what to do", async () => {
    // x1 has empty cells; with imputation off, logistic regression meets NaN.
    const {error} = await failure(tinyCsv(), `${tinyConfig}transform:\n  numeric: {impute: none}\n`);
    expect(error.message).toMatch(
      /^train \(data\.csv\): feature "x1" is missing in training row \d+, and logistic_regression needs complete data: impute it/
    );
  });

  it("a target missing in every row names the target", async () => {
    const {error} = await failure(
      "x,label\n" + Array.from({length: 30}, (_, i) => `${i},`).join("\n") + "\n"
    );
    expect(error.message).toMatch(
      /split: need at least 3 rows, the data has 0 .*data\.target: "label": is it missing in every row\?/
    );
  });

  it("exits non-zero from the CLI with the message and no stack trace", async () => {
    const dir = tinyProject();
    writeFileSync(join(dir, "data.csv"), "a,b\n1,2\n");
    const result = await mlbook(dir, ["run"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'error: clean (data.csv): data.target: column "label" is not in the data (columns: a, b)\n'
    );
  });
});
