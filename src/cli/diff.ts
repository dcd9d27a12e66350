import {diffRuns} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export async function diffCommand(
  a: string,
  b: string,
  options: {config: string; all?: boolean; json?: boolean}
): Promise<void> {
  const diff = await withProject(projectTracking(options.config), (tx) => diffRuns(tx, a, b));
  if (options.json) {
    console.log(JSON.stringify(diff, null, 2));
    return;
  }
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  const params = diff.params.filter((p) => options.all || p.changed);
  console.log(`A ${diff.a.id}  B ${diff.b.id}`);
  if (params.length) {
    const rows = params.map((p) => [p.key, show(p.a), show(p.b), p.changed ? "*" : ""]);
    for (const line of textTable(["PARAM", "A", "B", ""], rows, {shrink: [1, 2, 0]})) console.log(line);
  } else {
    console.log("params: identical");
  }
  const sign = (d: number | null) => (d === null ? "" : `${d > 0 ? "+" : ""}${formatMetric(d)}`);
  const rows = diff.metrics.map((m) => [m.key, formatMetric(m.a), formatMetric(m.b), sign(m.delta)]);
  if (rows.length)
    for (const line of textTable(["METRIC", "A", "B", "DELTA"], rows, {right: [1, 2, 3], shrink: [0]}))
      console.log(line);
}
