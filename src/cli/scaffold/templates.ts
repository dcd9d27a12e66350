/**
 * What `mlbook new` and `mlbook init` write: each template is a working file (it runs as written)
 * with comments that say where to make it one's own.
 */

/** A step that passes its table on unchanged, ready for a body. */
export function stepTemplate(name: string): string {
  return `import {defineStep, z} from "mlbook";

/**
 * ${name}: a step of this workspace. It reads the table of the step before it (\`after:\` in the
 * config) and writes the table the steps after it read; mlbook keys its output by this file's
 * code, its params and its input, so editing it re-runs it and what comes after, nothing else.
 */
export default defineStep({
  description: "${name}",
  params: z.object({
    /** An example param: \`steps.${name}.params.scale\` in the config, or an override. Default 1. */
    scale: z.number().default(1)
  }),
  inputs: {data: {kind: "table"}},
  outputs: {data: {kind: "table"}},
  // Row by row (no statistics over other rows), so a trained model can replay it on new rows.
  replay: true,
  async run({data}, {scale}) {
    // \`data\` names a DuckDB relation: return SQL over it, or an array of row objects. To add a
    // column: \`SELECT *, "a" / "b" * \${scale} AS ${name} FROM \${data}\`.
    void scale;
    return {data: \`SELECT * FROM \${data}\`};
  }
});
`;
}

export function stepTestTemplate(name: string, file: string): string {
  return `import {runStep} from "mlbook";
import {expect, it} from "vitest";
import step from "./${file}";

it("${name} keeps every row and column", async () => {
  const rows = [
    {a: 1, b: 2},
    {a: 3, b: 4}
  ];
  const {data} = await runStep(step, {inputs: {data: rows}});
  expect(data).toEqual(rows);
});
`;
}

/** A baseline model (the class shares, or the mean), working for both tasks, ready for a body. */
export function modelTemplate(name: string): string {
  return `import {defineModel, z} from "mlbook";

interface State {
  /** Classification: the share of each class; regression: the mean, as one value. */
  values: number[];
}

/**
 * ${name}: a model of this workspace. It sees what mlbook's own models see: the features after the
 * fitted preprocessing, as columns (\`X.cols[j][i]\` is feature j of row i), and y as class
 * indices (0 … k−1) or values. As written it is a baseline: it predicts the class shares, or
 * the mean. Its state must be JSON (toJSON / fromJSON): a model bundle is data, never code.
 */
export default defineModel({
  name: "${name}",
  description: "baseline: class shares, or the mean",
  params: z
    .object({
      /** An example param: \`model.params.smoothing\` in the config. Default 0. */
      smoothing: z.number().min(0).default(0)
    })
    .strict(),
  fit(X, y, params, info): State {
    if (info.task === "regression") {
      let sum = 0;
      for (const v of y) sum += v;
      return {values: [sum / y.length]};
    }
    const counts = new Array<number>(info.nClasses!).fill(params.smoothing);
    for (const c of y) counts[c]++;
    const total = counts.reduce((a, b) => a + b, 0);
    return {values: counts.map((c) => c / total)};
  },
  predict(model, X) {
    if (model.values.length === 1) return new Float64Array(X.rows).fill(model.values[0]);
    return new Int32Array(X.rows).fill(model.values.indexOf(Math.max(...model.values)));
  },
  predictProba(model, X) {
    return model.values.map((p) => new Float64Array(X.rows).fill(p));
  },
  toJSON: (model) => model,
  fromJSON: (json) => json as State
});
`;
}

export function modelTestTemplate(name: string, file: string): string {
  return `import type {Features} from "mlbook";
import {expect, it} from "vitest";
import model from "./${file}";

const X: Features = {rows: 4, cols: [Float64Array.of(1, 2, 3, 4)]};
const info = (task: "classification" | "regression", nClasses?: number) => ({task, nClasses, seed: 0, progress() {}});

it("${name} predicts the mean (regression)", async () => {
  const fitted = await model.fit(X, Float64Array.of(1, 2, 3, 6), {smoothing: 0}, info("regression"));
  expect(Array.from(model.predict(fitted, X))).toEqual([3, 3, 3, 3]);
});

it("${name} predicts the most frequent class, with the class shares as probabilities", async () => {
  const fitted = await model.fit(X, Int32Array.of(1, 1, 0, 1), {smoothing: 0}, info("classification", 2));
  expect(Array.from(model.predict(fitted, X))).toEqual([1, 1, 1, 1]);
  expect(model.predictProba!(fitted, X).map((c) => c[0])).toEqual([0.25, 0.75]);
  // Its state goes through JSON in a model bundle.
  const restored = model.fromJSON(JSON.parse(JSON.stringify(model.toJSON(fitted))));
  expect(Array.from(model.predict(restored, X))).toEqual([1, 1, 1, 1]);
});
`;
}

/** A pipeline config: `data` as given (YAML lines), the rest mlbook's defaults written out. */
export function pipelineTemplate(name: string, data: string, task: string): string {
  const model = task === "regression" ? "ridge" : "logistic_regression";
  return `# ${name}: a pipeline of this workspace. Every key is documented in mlbook's README;
# \`npx mlbook run -c pipelines/${name}.yaml key.path=value\` overrides any of them.
name: ${name}
data:
${data}
split: {test_size: 0.2, seed: 42}
model:
  type: ${model}
  params: {}
`;
}

export function pipelineTestTemplate(name: string): string {
  return `import {fileURLToPath} from "node:url";
import {loadConfig, runPipeline} from "mlbook";
import {expect, it} from "vitest";

it("${name} runs end to end and scores its test rows", async () => {
  const loaded = await loadConfig(fileURLToPath(new URL("./${name}.yaml", import.meta.url)));
  const result = await runPipeline(loaded);
  expect(result.pipeline).toBe("${name}");
  expect(Object.keys(result.headline).length).toBeGreaterThan(0);
}, 300_000);
`;
}
