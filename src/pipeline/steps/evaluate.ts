import {z} from "zod";
import {encodeLabels, predictBundle, type ModelBundle} from "../bundle.ts";
import {classificationReport, regressionReport} from "../metrics/index.ts";
import {defineStep, jsonInput, tableInput} from "../step.ts";
import {describe, readTable} from "../table.ts";

export const evaluateParams = z.object({}).strict();

/** Scores the held-out test rows with the trained bundle and reports the metrics. */
export const evaluate = defineStep({
  name: "evaluate",
  inputs: ["split", "train"],
  params: evaluateParams,
  module: import.meta.url,
  async run(inputs, _params, ctx) {
    const bundle = jsonInput<ModelBundle>(inputs, "train", "model");
    const relation = tableInput(inputs, "split", "test");
    const columns = new Map((await describe(ctx.db, relation)).map((c) => [c.name, c]));
    const wanted = [...bundle.signature.map((s) => columns.get(s.name)!), columns.get(bundle.target)!];
    const table = await readTable(ctx.db, relation, wanted);
    const {predicted, proba} = predictBundle(bundle, table);
    if (bundle.task === "classification") {
      const {labels} = encodeLabels(table.columns[bundle.target], bundle.classes);
      const report = classificationReport(labels, predicted as Int32Array, proba, bundle.classes);
      return {json: {metrics: {task: bundle.task, rows: table.rows, ...report}}};
    }
    const report = regressionReport(table.columns[bundle.target] as Float64Array, predicted as Float64Array);
    return {json: {metrics: {task: bundle.task, rows: table.rows, ...report}}};
  }
});
