import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {fitBundle, type ModelBundle} from "../../../src/pipeline/ml/bundle.ts";
import type {Table} from "../../../src/pipeline/ml/table.ts";
import {loadModel} from "../../../src/pipeline/score/model.ts";

const x = Float64Array.from({length: 60}, (_, i) => i % 20);
const table: Table = {
  rows: 60,
  columns: {
    x,
    colour: Array.from({length: 60}, (_, i) => ["red", "blue", "green"][i % 3]),
    label: Array.from(x, (v) => (v > 9 ? "b" : "a"))
  }
};

async function bundleOf(type: string, params: Record<string, unknown>): Promise<ModelBundle> {
  const {bundle} = await fitBundle(table, {
    target: "label",
    task: "classification",
    features: [
      {name: "x", type: "DOUBLE", kind: "numeric"},
      {name: "colour", type: "VARCHAR", kind: "categorical"}
    ],
    transform: {},
    model: {type, params},
    seed: 0
  });
  return bundle;
}

/** A bundle is a file anyone can edit: loading one checks what scoring relies on, naming the field. */
describe("loadModel refuses a tampered bundle", () => {
  let boosting: ModelBundle;
  let forest: ModelBundle;
  const dir = mkdtempSync(join(tmpdir(), "mlbook-bundle-checks-"));
  const load = (bundle: unknown) => {
    const file = join(dir, `m${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(bundle));
    return loadModel(file);
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches into the JSON as a tamperer would
  const edit = <T>(bundle: T, change: (b: any) => void): T => {
    const copy = structuredClone(bundle);
    change(copy);
    return copy;
  };

  beforeAll(async () => {
    boosting = await bundleOf("hist_gradient_boosting", {max_iter: 3, min_samples_leaf: 2});
    forest = await bundleOf("random_forest", {n_estimators: 2, seed: 0});
  });

  it("scores the untouched bundles", async () => {
    for (const b of [boosting, forest]) {
      const model = await load(b);
      expect((await model.predict([{x: 15, colour: "red"}]))[0].prediction).toBe("b");
    }
  });

  it("a boosting tree whose node points at itself (it would hang predict)", async () => {
    const bad = edit(boosting, (b) => {
      b.estimator.state.trees[0][0].left[0] = 0;
    });
    await expect(load(bad)).rejects.toThrow(
      /invalid model bundle: estimator\.state: trees\[0\]\[0\]\.left\[0\]: 0 is not a node after 0/
    );
  });

  it("a forest tree with a child out of range, or a feature that does not exist", async () => {
    const far = edit(forest, (b) => (b.estimator.state.trees[1].right[0] = 10_000));
    await expect(load(far)).rejects.toThrow(
      /estimator\.state: trees\[1\]\.right\[0\]: 10000 is not a node after 0/
    );
    const boost = edit(boosting, (b) => {
      b.estimator.state.trees[0][0].feature[0] = 99;
    });
    await expect(load(boost)).rejects.toThrow(/trees\[0\]\[0\]\.feature\[0\]: 99 is not a feature index/);
  });

  it("a classifier without classes, or with one twice", async () => {
    await expect(load(edit(forest, (b) => (b.classes = [])))).rejects.toThrow(
      /invalid model bundle: classes: a classifier lists its classes \(found none\)/
    );
    await expect(load(edit(forest, (b) => (b.classes = ["a", "a"])))).rejects.toThrow(
      /classes: a class is listed twice/
    );
  });

  it("feature lists whose lengths disagree, or a value that is not a number", async () => {
    await expect(load(edit(forest, (b) => b.sourceColumn.pop()))).rejects.toThrow(
      /invalid model bundle: sourceColumn: \d+ entries for \d+ feature names/
    );
    const text = edit(forest, (b) => (b.estimator.state.trees[0].value[0] = "0.5"));
    await expect(load(text)).rejects.toThrow(/trees\[0\]\.value\[0\]: expected a number/);
  });
});
