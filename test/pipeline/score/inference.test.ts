import {mkdtempSync, readFileSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {openDb} from "../../../src/pipeline/engine/db.ts";
import {POS} from "../../../src/pipeline/engine/replay.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {quoteIdent} from "../../../src/pipeline/engine/sql.ts";
import type {ModelBundle} from "../../../src/pipeline/ml/bundle.ts";
import {WARNINGS, prepareFeatures} from "../../../src/pipeline/score/features.ts";
import {loadModel, type Model} from "../../../src/pipeline/score/model.ts";
import {scoreFile} from "../../../src/pipeline/score/scoreFile.ts";

/**
 * The inference pipeline a bundle carries, on rows a user scores: clean's rules (renames, missing
 * markers, casts, derived columns, a filter), featurize's window from the bundle's state, and the
 * flags for rules that only training enforces.
 */
describe("the inference pipeline in the bundle", () => {
  let dir: string;
  let bundle: ModelBundle;
  let model: Model;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlbook-inference-"));
    // Two shops, one reading a day each; the outcome depends on the reading and the shop.
    const lines = ["Day,Shop,Reading,Flag,Outcome"];
    for (let d = 0; d < 120; ++d)
      for (const shop of ["north", "south"]) {
        const reading = ((d * 7 + (shop === "north" ? 3 : 11)) % 23) + 1;
        const outcome = reading + (shop === "north" ? 4 : 0) > 14 ? "high" : "low";
        const day = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
        lines.push(`${day},${shop},${d === 7 ? "n/a" : reading},${d % 2},${outcome}`);
      }
    writeFileSync(join(dir, "data.csv"), `${lines.join("\n")}\n`);
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `name: shops
data: {source: data.csv, target: outcome}
clean:
  rename: {Day: day, Shop: shop, Reading: reading, Outcome: outcome}
  na_values: ["n/a"]
  columns:
    reading: {cast: DOUBLE}
    Flag: {drop: true}
  derive: {double_reading: "reading * 2"}
  filter: "reading < 100"
featurize:
  window:
    - {column: reading, by: shop, order: day, rows: 3, agg: mean, name: recent}
features: {exclude: [day]}
split: {method: time, time_column: day, test_size: 0.25}
model: {type: logistic_regression, params: {C: 1.0}}
`
    );
    const loaded = await loadConfig(join(dir, "mlbook.yaml"));
    const result = await runPipeline(loaded);
    const train = result.steps.find((s) => s.name === "train")!;
    const file = join(dir, ".mlbook", "store", "train", train.key, "model.json");
    bundle = JSON.parse(readFileSync(file, "utf8")) as ModelBundle;
    model = await loadModel(file, {base: dir});
  }, 120_000);

  it("takes the raw columns, not renamed, derived or dropped ones", () => {
    expect(bundle.signature.map((s) => s.name).sort()).toEqual(["Day", "Reading", "Shop"]);
    expect(bundle.features.map((s) => s.name).sort()).toEqual([
      "double_reading",
      "reading",
      "recent",
      "shop"
    ]);
    expect(Object.keys(bundle.example![0]).sort()).toEqual(["Day", "Reading", "Shop"]);
  });

  /** The features of raw rows as the bundle computes them (one DuckDB, the rows as a table). */
  const features = async (rows: Record<string, unknown>[]) => {
    const db = await openDb();
    try {
      const values = rows.map(
        (r, i) =>
          `(${bundle.signature.map((s) => (r[s.name] == null ? "NULL" : `'${String(r[s.name])}'`)).join(", ")}, ${i})`
      );
      await db.run(
        `CREATE TABLE raw AS SELECT * FROM (VALUES ${values.join(", ")}) AS t(${[...bundle.signature.map((s) => quoteIdent(s.name)), POS].join(", ")})`
      );
      const view = await prepareFeatures(db, bundle, "raw", {base: dir});
      return await db.rows<Record<string, unknown>>(`SELECT * FROM ${view} ORDER BY ${POS}`);
    } finally {
      db.close();
    }
  };

  it("replays clean's rules: missing markers, casts, derived columns", async () => {
    const [row] = await features([{Day: "2024-06-01", Shop: "north", Reading: "n/a"}]);
    expect(row.reading).toBeNull();
    expect(row.double_reading).toBeNull();
    const [other] = await features([{Day: "2024-06-01", Shop: "north", Reading: "5"}]);
    expect(other.reading).toBe(5);
    expect(other.double_reading).toBe(10);
  });

  it("scores a row that breaks a training-only rule, and flags it", async () => {
    const [out] = await model.predict([{Day: "2024-06-01", Shop: "north", Reading: 500}]);
    expect(["high", "low"]).toContain(out.prediction);
    expect(out.warnings).toMatch(/clean\.filter/);
    const [fine] = await model.predict([{Day: "2024-06-01", Shop: "north", Reading: 5}]);
    expect(fine.warnings).toBeUndefined();
  });

  it("computes a window from the training rows' end, extended by the scored rows in order", async () => {
    // The last three north readings of the training rows (the time split keeps the last 30 of
    // the 120 days for testing): the state the bundle keeps.
    const north = readFileSync(join(dir, "data.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1, 1 + 2 * 90)
      .map((l) => l.split(","))
      .filter((c) => c[1] === "north")
      .map((c) => Number(c[2]));
    const last3 = north.slice(-3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rows = await features([
      {Day: "2024-06-01", Shop: "north", Reading: "60"},
      {Day: "2024-06-02", Shop: "north", Reading: null},
      {Day: "2024-06-03", Shop: "north", Reading: "40"}
    ]);
    // A row with a value reads the rows before it: the state's last three.
    expect(rows[0].recent).toBeCloseTo(mean(last3), 12);
    // A row without one (its outcome unknown) reads the history up to its time, the 60 included.
    expect(rows[1].recent).toBeCloseTo(mean([...last3.slice(1), 60]), 12);
    // It is no history itself: the next row reads the same three.
    expect(rows[2].recent).toBeCloseTo(mean([...last3.slice(1), 60]), 12);
    // Training dropped rows without a reading (the filter): such a row is scored, and says so.
    expect(rows.map((r) => r[WARNINGS])).toEqual([
      null,
      "clean.filter: the row fails reading < 100; reading is missing, which training never saw (the model imputes it); double_reading is missing, which training never saw (the model imputes it)",
      null
    ]);
  });

  it("starts each predict call from the bundle's state", async () => {
    const row = {Day: "2024-06-01", Shop: "north", Reading: 5};
    const alone = await model.predict([row]);
    await model.predict([{Day: "2024-05-30", Shop: "north", Reading: 90}]);
    expect(await model.predict([row])).toEqual(alone);
  });

  it("refuses a row whose features hold NaN or Infinity, naming the feature and row", async () => {
    // Reading is text in the raw data ("n/a"): clean's cast makes the number, so the check is on the features.
    const base = {Day: "2024-06-01", Shop: "north"};
    await expect(
      model.predict([
        {...base, Reading: 1},
        {...base, Reading: NaN}
      ])
    ).rejects.toThrow(
      'row 2: feature "reading" is NaN after the pipeline\'s steps: the model cannot score it'
    );
    await expect(model.predict([{...base, Reading: "-Infinity"}])).rejects.toThrow(
      'row 1: feature "reading" is -Infinity after'
    );
    // Text the cast cannot read: the row is scored with the value missing, and flagged.
    const [flagged] = await model.predict([{...base, Reading: "lots"}]);
    expect(flagged.warnings).toMatch(/clean\.columns\.reading\.cast/);
    // A raw column read as a date takes dates only.
    await expect(model.predict([{...base, Day: "someday", Reading: 1}])).rejects.toThrow(
      /column "Day", row 1: "someday" is not a DATE/
    );
  });

  it("scores a file as predict scores its rows: in order, in batches, unseen and missing values included", async () => {
    // 5,000 rows (three batches of whole 2,048-row chunks), some with a shop training never saw
    // or no reading, in an order that is not the window's.
    const rows = Array.from({length: 5000}, (_, i) => ({
      Day: new Date(Date.UTC(2024, 4, 1 + ((i * 37) % 90))).toISOString().slice(0, 10),
      Shop: i % 97 === 5 ? "east" : i % 2 ? "north" : "south",
      Reading: i % 13 === 0 ? null : String(((i * 7) % 23) + 1)
    }));
    const csv = join(dir, "score.csv");
    writeFileSync(
      csv,
      `Day,Shop,Reading\n${rows.map((r) => `${r.Day},${r.Shop},${r.Reading ?? ""}`).join("\n")}\n`
    );
    const output = join(dir, "scored.csv");
    const progress: number[] = [];
    const result = await scoreFile(model, csv, {
      output,
      keep: ["Shop"],
      batch: 2048,
      onProgress: (done) => progress.push(done)
    });
    expect(result.rows).toBe(5000);
    expect(progress).toEqual([2048, 4096, 5000]);
    const [header, ...lines] = readFileSync(output, "utf8").trim().split("\n");
    expect(header).toBe("Shop,prediction,proba_high,proba_low,warnings");
    const expected = await model.predict(rows);
    expect(lines).toHaveLength(5000);
    lines.forEach((line, i) => {
      const [shop, prediction, high, low, ...warnings] = line.split(",");
      const want = expected[i];
      expect([shop, prediction, Number(high), Number(low)]).toEqual([
        rows[i].Shop,
        want.prediction,
        want.probabilities!.high,
        want.probabilities!.low
      ]);
      expect(warnings.join(",").replace(/^"|"$/g, "") || undefined).toBe(want.warnings);
    });
    // The shop training never saw is scored (one-hot all zero), not refused.
    expect(lines.filter((l) => l.startsWith("east,"))).not.toHaveLength(0);
    // Parquet out holds the same rows.
    const parquet = join(dir, "scored.parquet");
    await scoreFile(model, csv, {output: parquet, keep: ["Shop"]});
    const db = await openDb();
    try {
      const [{differ}] = await db.rows<{differ: number}>(
        `SELECT count(*)::INTEGER AS differ FROM
           (SELECT *, row_number() OVER () AS i FROM read_parquet('${parquet}')) AS p
           JOIN (SELECT *, row_number() OVER () AS i FROM read_csv('${output}', header = true, all_varchar = true)) AS c USING (i)
         WHERE p.prediction IS DISTINCT FROM c.prediction OR p.proba_high IS DISTINCT FROM c.proba_high::DOUBLE
           OR p.warnings IS DISTINCT FROM c.warnings`
      );
      expect(differ).toBe(0);
    } finally {
      db.close();
    }
  });
});
