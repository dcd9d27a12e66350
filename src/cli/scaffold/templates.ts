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

/**
 * A page loader of the workspace's own (`docs/data/…/NAME.json.js`), through mlbook's page-data
 * API: the pipeline's runs and its test rows beside their predictions.
 */
export function pageLoaderTemplate(page: string, pipeline: string | undefined): string {
  return `// Data of ${page}.md: written with mlbook's page-data API (README: "Write your own page").
// Every read is recorded: \`mlbook dev\` and \`mlbook build\` make it again when one of them changes.
import {pageLoader} from "mlbook";

await pageLoader(
  async (data) => ({
    pipeline: data.pipeline,
    // The tracked runs, newest first, with their params and headline metrics.
    runs: await data.runs({limit: 50}),
    // The test rows beside their predictions (evaluate keeps the test rows' order), as the
    // config makes them now; \`test_data:latest\` or \`test_data:v2\` would read a tracked version.
    rows: await data.query("SELECT * FROM test POSITIONAL JOIN predictions LIMIT 500", {
      test: "test_data",
      predictions: "predictions"
    })
  })${pipeline ? `,\n  {pipeline: ${JSON.stringify(pipeline)}}` : ""}
);
`;
}

/** A Markdown page reading that loader's output, with a chart of each and a table. */
export function pageTemplate(page: string, dataFile: string, components: string): string {
  return `---
title: ${page}
---

\`\`\`js
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import {vegaChart} from "${components}/vega.js";
const data = await FileAttachment("${dataFile}").json();
\`\`\`

# ${page}

<p class="runs-summary">\${data.runs.length} run\${data.runs.length === 1 ? "" : "s"} of <b>\${data.pipeline}</b> recorded\${data.runs.length ? html\`, the newest <code>\${data.runs[0].id}</code>\` : ""}.</p>

Runs and test predictions of the pipeline. Edit this page
(\`${page}.md\`) and its data loader (\`${dataFile.replace(/^(\.\.?\/)+/, "docs/")}.js\`); the page refreshes.

\`\`\`js
// The first headline metric of each run, oldest to newest.
const metric = Object.keys(data.runs[0]?.metrics ?? {})[0];
const points = data.runs.filter((r) => metric in r.metrics).reverse().map((r, i) => ({n: i + 1, value: r.metrics[metric], run: r.id, startedAt: r.startedAt}));
display(points.length
  ? await vegaChart({
      width: "container", height: 200, title: \`\${metric} by run\`,
      data: {values: points},
      mark: {type: "line", point: true},
      encoding: {
        x: {field: "n", type: "ordinal", title: "run, oldest to newest", axis: {labelAngle: 0}},
        y: {field: "value", type: "quantitative", title: metric, scale: {zero: false}, axis: {format: ".3~f"}},
        tooltip: [{field: "run"}, {field: "startedAt", title: "started"}, {field: "value", format: ".4f"}]
      }
    })
  : html\`<p>No run recorded yet: <code>npx mlbook run</code>.</p>\`);
\`\`\`

\`\`\`js
// Actual against predicted for a numeric target; counts of each (actual, predicted) pair otherwise.
const numeric = typeof data.rows[0]?.actual === "number";
display(await vegaChart({
  width: "container", height: 260, title: "test rows: actual and predicted",
  data: {values: data.rows},
  ...(numeric
    ? {mark: {type: "point", opacity: 0.6}, encoding: {
        x: {field: "actual", type: "quantitative", scale: {zero: false}},
        y: {field: "prediction", type: "quantitative", scale: {zero: false}}}}
    : {mark: "rect", encoding: {
        x: {field: "prediction", type: "nominal"}, y: {field: "actual", type: "nominal"},
        color: {aggregate: "count", type: "quantitative", title: "rows"}}})
}));
\`\`\`

\`\`\`js
display(Inputs.table(data.rows, {rows: 12}));
\`\`\`
`;
}
