import {lowerIsBetter} from "../pipeline/ml/metrics/headline.ts";
import {listRuns, orderRuns, type RunSummary} from "../pipeline/tracking/queries.ts";
import {workspaceTrackings} from "./workspaceTrackings.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export interface RunsOptions {
  config: string;
  pipeline?: string;
  sweep?: string;
  sort?: string;
  limit?: string;
  json?: boolean;
}

export async function runsCommand(options: RunsOptions): Promise<void> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  const all: RunSummary[] = [];
  for (const tracking of workspaceTrackings(options.config))
    all.push(
      ...(await withProject(tracking, (tx) =>
        listRuns(tx, {pipeline: options.pipeline, sweep: options.sweep})
      ))
    );
  all.sort((a, b) =>
    a.started_at === b.started_at ? (a.id < b.id ? 1 : -1) : a.started_at < b.started_at ? 1 : -1
  );
  const runs = orderRuns(all, {sort: options.sort, limit});
  if (options.json) {
    console.log(JSON.stringify(runs, null, 2));
    return;
  }
  if (!runs.length) {
    console.log("no runs recorded yet (mlbook run records one)");
    return;
  }
  const preferred = ["accuracy", "f1_macro", "r2", "rmse"];
  const available = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  // Two headline metrics per task: classification runs show accuracy and F1, regression runs R²
  // and RMSE, and a list holding both kinds shows all four.
  // Runs with a validation split show its score of each task's first metric too (val_accuracy).
  const validated = ["accuracy", "r2"].map((m) => `val_${m}`).filter((m) => available.has(m));
  const shown = [
    ...new Set([
      ...(options.sort ? [options.sort] : []),
      ...preferred.filter((m) => available.has(m)),
      ...validated
    ])
  ];
  const rows = runs.map((r) => [
    r.id,
    r.pipeline,
    r.source === "preview" ? `${r.status} (preview)` : r.status,
    r.started_at.slice(5, 16),
    ...shown.map((m) => formatMetric(r.metrics[m]))
  ]);
  const header = ["RUN", "PIPELINE", "STATUS", "STARTED", ...shown.map((m) => m.toUpperCase())];
  const metricColumns = shown.map((_, i) => 4 + i);
  for (const line of textTable(header, rows, {right: metricColumns, shrink: [1]})) console.log(line);
  if (options.sort)
    console.log(`sorted by ${options.sort}, ${lowerIsBetter.has(options.sort) ? "lowest" : "highest"} first`);
}
