import {existsSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {fitBundle} from "../../src/pipeline/ml/bundle.ts";
import {openDb} from "../../src/pipeline/engine/db.ts";
import type {Classifier} from "../../src/pipeline/ml/types.ts";
import {fileReader} from "../../src/pipeline/score/readForModel.ts";
import {describe as describeColumns, readTable} from "../../src/pipeline/engine/table.ts";
import {applyColumnTransformer} from "../../src/pipeline/ml/transforms/columnTransformer.ts";
import {mlbook, tinyConfig, tinyCsv, tinyProject} from "../helpers/project.ts";

describe("tracking from the CLI", () => {
  let dir: string;
  let runs: Awaited<ReturnType<typeof mlbook>>[];

  beforeAll(async () => {
    dir = tinyProject();
    // Two processes started at the same moment, on one store and one tracking database.
    runs = await Promise.all([mlbook(dir, ["run"]), mlbook(dir, ["run"])]);
  }, 120_000);

  it("records both of two runs started at the same moment", async () => {
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    // Neither run failed, nor left its record waiting in the journal.
    for (const r of runs) expect(r.stderr).not.toMatch(/error|tracking:/);
    const listed = await mlbook(dir, ["runs", "--json"]);
    expect(listed.status).toBe(0);
    const ids = (JSON.parse(listed.stdout) as {id: string; status: string}[]).map((r) => r.id);
    const printed = runs.map((r) => /^run (\S+) in/m.exec(r.stdout)?.[1]);
    expect(ids.sort()).toEqual(printed.sort());
    const table = await mlbook(dir, ["runs"]);
    expect(table.stdout.split("\n").every((line) => line.length <= 80)).toBe(true);
    const artifacts = await mlbook(dir, ["artifacts", "--json"]);
    expect(
      (JSON.parse(artifacts.stdout) as {name: string; versions: number}[]).map((a) => [a.name, a.versions])
    ).toContainEqual(["tiny/model", 1]);
  });

  it("predict names a missing column, exits non-zero and writes nothing", async () => {
    writeFileSync(
      join(dir, "missing.csv"),
      tinyCsv(10)
        .replace(/^x1,x2,/, "x1,")
        .replace(/\n([^,\n]*),[^,\n]*,/g, "\n$1,")
    );
    const out = join(dir, "out.csv");
    const result = await mlbook(dir, ["predict", "--model", "model:latest", "missing.csv", "-o", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^error: missing\.csv: missing column "x2" \(the model needs it as DOUBLE; the input has x1, colour, label\)\n$/
    );
    expect(existsSync(out)).toBe(false);
  });

  it("predict names the column and row of a value of the wrong type", async () => {
    const lines = tinyCsv(10).split("\n");
    lines[3] = lines[3].replace(/^[^,]*/, "abc");
    writeFileSync(join(dir, "typo.csv"), lines.join("\n"));
    const result = await mlbook(dir, [
      "predict",
      "--model",
      "model:v1",
      "typo.csv",
      "-o",
      join(dir, "typo-out.csv")
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'error: typo.csv: column "x1", row 3: "abc" is not a DOUBLE (the model was trained on DOUBLE)\n'
    );
    expect(existsSync(join(dir, "typo-out.csv"))).toBe(false);
  });

  it("predict scores unseen categories through the encoder (one-hot: all zeros)", async () => {
    writeFileSync(join(dir, "unseen.csv"), tinyCsv(6).replace(/,(red|green|blue),/g, ",purple,"));
    const result = await mlbook(dir, ["predict", "--model", "model", "unseen.csv"]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("prediction,proba_a,proba_b,proba_c,warnings");
    expect(lines.length).toBe(7);
  });

  it("predict takes a bare artifact name as the config's pipeline's, another pipeline's by its full name", async () => {
    // A second pipeline in the folder: its run makes other/model:v1, newer than tiny/model.
    writeFileSync(
      join(dir, "other.yaml"),
      tinyConfig.replace("name: tiny", "name: other").replace("C: 1.0", "C: 0.2")
    );
    expect((await mlbook(dir, ["run", "--config", "other.yaml"])).status).toBe(0);
    writeFileSync(join(dir, "new.csv"), tinyCsv(5));
    const predict = async (...args: string[]) => {
      const r = await mlbook(dir, ["predict", "--model", ...args, "new.csv"]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const ours = await predict("model:latest");
    expect(await predict("model:v1")).toBe(ours);
    expect(await predict("tiny/model")).toBe(ours);
    const theirs = await predict("model", "--config", "other.yaml");
    expect(await predict("other/model:v1")).toBe(theirs);
    // Two different fits (C 1.0 and 0.2): the version named is the model scored.
    expect(ours.split("\n")[0]).toBe("prediction,proba_a,proba_b,proba_c,warnings");
    expect(ours).not.toBe(theirs);
    const missing = await mlbook(dir, ["predict", "--model", "other/model:v2", "new.csv"]);
    expect([missing.status, missing.stderr]).toEqual([
      2,
      "error: other/model:v2: no such version (have v1)\n"
    ]);
  }, 60_000);

  it("a bundle loaded in a fresh process predicts bit-identically to the model right after training", async () => {
    const db = await openDb();
    const relation = fileReader(join(dir, "data.csv"));
    const columns = await describeColumns(db, relation);
    const table = await readTable(db, relation, columns);
    db.close();
    const features = columns.filter((c) => c.name !== "label");
    const {bundle, estimator} = await fitBundle(table, {
      target: "label",
      task: "classification",
      features,
      transform: {},
      model: {type: "logistic_regression", params: {C: 0.5}},
      seed: 0
    });
    const {X} = applyColumnTransformer(bundle.transform, table);
    const proba = (estimator as Classifier).predictProba(X);
    writeFileSync(join(dir, "bundle.json"), JSON.stringify(bundle));
    const result = await mlbook(dir, [
      "predict",
      "--model",
      "bundle.json",
      "data.csv",
      "-o",
      join(dir, "scored.csv")
    ]);
    expect(result.status).toBe(0);
    const rows = readFileSync(join(dir, "scored.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows.length).toBe(table.rows);
    let mismatches = 0;
    rows.forEach((line, i) => {
      // prediction, the class probabilities, warnings (none here).
      const values = line.split(",").slice(1, -1).map(Number);
      values.forEach((v, k) => (mismatches += Object.is(v, proba[k][i]) ? 0 : 1));
    });
    expect(mismatches).toBe(0);
  }, 60_000);
});
