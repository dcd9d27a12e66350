import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {fitBundle} from "../../../src/pipeline/ml/bundle.ts";
import {loadModel} from "../../../src/pipeline/score/model.ts";
import {checkCriteria} from "../../../src/pipeline/steps/register.ts";
import type {Table} from "../../../src/pipeline/ml/table.ts";

const table: Table = {
  rows: 8,
  columns: {
    x: Float64Array.from([0, 1, 2, 3, 10, 11, 12, 13]),
    colour: ["red", "red", "blue", "red", "green", "green", "blue", "green"],
    label: ["a", "a", "a", "a", "b", "b", "b", "b"]
  }
};

async function modelFile(): Promise<string> {
  const features = [
    {name: "x", type: "DOUBLE", kind: "numeric" as const},
    {name: "colour", type: "VARCHAR", kind: "categorical" as const}
  ];
  const {bundle} = await fitBundle(table, {
    target: "label",
    task: "classification",
    features,
    transform: {},
    model: {type: "logistic_regression", params: {}},
    seed: 0
  });
  const file = join(mkdtempSync(join(tmpdir(), "mlbook-model-")), "model.json");
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

describe("loadModel(path).predict(rows)", () => {
  it("scores row objects, unseen categories included", async () => {
    const model = await loadModel(await modelFile());
    const out = await model.predict([
      {x: 0.5, colour: "red"},
      {x: 12.5, colour: "purple"},
      {x: null, colour: null}
    ]);
    expect(out.map((r) => r.prediction).slice(0, 2)).toEqual(["a", "b"]);
    for (const r of out) expect(r.probabilities!.a + r.probabilities!.b).toBeCloseTo(1, 12);
  });

  it("names the missing column, and the column and row of a wrong type", async () => {
    const model = await loadModel(await modelFile());
    await expect(model.predict([{colour: "red"}])).rejects.toThrow(
      'missing column "x" (the model needs it as DOUBLE; the input has colour)'
    );
    await expect(
      model.predict([
        {x: 1, colour: "red"},
        {x: "two", colour: "red"}
      ])
    ).rejects.toThrow('column "x", row 2: "two" is not a number');
  });
});

describe("register criteria", () => {
  const params = {
    name: "m",
    example_rows: 5,
    criteria: [
      {metric: "f1_macro", threshold: 0.9},
      {metric: "log_loss", threshold: 0.3}
    ]
  };

  it("passes only when every criterion holds; losses are ceilings", () => {
    expect(checkCriteria(params, {f1_macro: 0.95, log_loss: 0.2})).toMatchObject({
      passed: true,
      reason: "all criteria passed"
    });
    const failed = checkCriteria(params, {f1_macro: 0.85, log_loss: 0.4});
    expect([failed.passed, failed.reason]).toEqual([false, "f1_macro 0.85 < 0.9, log_loss 0.4 > 0.3"]);
  });

  it("names an unknown metric and the ones there are", () => {
    expect(() => checkCriteria({...params, criteria: [{metric: "f1", threshold: 1}]}, {f1_macro: 1})).toThrow(
      'invalid register.criteria.0.metric: "f1" (expected one of f1_macro)'
    );
  });
});
