import {listSweeps} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/** `mlbook sweeps`: each sweep with its job count and best job. */
export async function sweepsCommand(options: {
  config: string;
  metric?: string;
  json?: boolean;
}): Promise<void> {
  const sweeps = await withProject(projectTracking(options.config), (tx) => listSweeps(tx, options.metric));
  if (options.json) {
    console.log(JSON.stringify(sweeps, null, 2));
    return;
  }
  if (!sweeps.length) {
    console.log("no sweeps recorded yet (mlbook run -m records one)");
    return;
  }
  const rows = sweeps.map((s) => [
    s.id,
    s.pipeline,
    String(s.jobs) + (s.failed ? ` (${s.failed} failed)` : ""),
    s.started_at.slice(5, 16),
    s.best ? `${s.metric} ${formatMetric(s.best.value)}${s.selected ? " (selected)" : ""}` : "–",
    s.best?.run ?? "",
    s.register_run ? `by run ${s.register_run}` : ""
  ]);
  for (const line of textTable(
    ["SWEEP", "PIPELINE", "JOBS", "STARTED", "BEST", "BEST RUN", "REGISTERED"],
    rows,
    {
      shrink: [1]
    }
  ))
    console.log(line);
  console.log("jobs of one sweep: mlbook runs --sweep ID");
}
