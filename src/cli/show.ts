import {formatDuration} from "./format.ts";
import {runDetail} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {formatBytes, formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export async function showCommand(id: string, options: {config: string; json?: boolean}): Promise<void> {
  const detail = await withProject(projectTracking(options.config), (tx) => runDetail(tx, id));
  if (options.json) {
    console.log(JSON.stringify(detail, null, 2));
    return;
  }
  const {run} = detail;
  console.log(
    `run ${run.id}  ${run.pipeline}  ${run.status}  ${run.started_at.slice(0, 19)}  ${formatDuration(run.duration_ms)}`
  );
  console.log(`  config ${run.config_digest.slice(0, 12)}  git ${run.git_commit?.slice(0, 12) ?? "(none)"}`);
  if (run.sweep_id) {
    // Runs recorded before sweep roles have none.
    const part = {
      job: "a job",
      shared: "the steps its jobs share",
      winner: "its selected job's final steps (registers it)"
    }[run.sweep_role ?? ""];
    console.log(`  sweep ${run.sweep_id}${part ? `: ${part}` : ""}`);
  }
  if (run.error) console.log(`  error: ${run.error}`);
  if (run.note) console.log(`  ${run.note}`);
  console.log("steps");
  for (const s of detail.steps)
    console.log(
      `  ${s.step.padEnd(10)} ${s.key.slice(0, 12)}  ${s.status === "fresh" ? "fresh" : `ran (${s.reason})`}`
    );
  if (Object.keys(detail.metrics).length) {
    console.log("metrics");
    for (const [k, v] of Object.entries(detail.metrics)) console.log(`  ${k.padEnd(24)} ${formatMetric(v)}`);
  }
  if (detail.artifacts.length) {
    console.log("artifacts");
    const rows = detail.artifacts.map((a) => [
      `${a.name}:v${a.version}`,
      a.type,
      a.rows === null ? "" : String(a.rows),
      formatBytes(a.bytes)
    ]);
    for (const line of textTable(["ARTIFACT", "TYPE", "ROWS", "SIZE"], rows, {right: [2, 3]}))
      console.log(`  ${line}`);
  }
  console.log("params");
  for (const [k, v] of Object.entries(detail.params)) console.log(`  ${k} = ${JSON.stringify(v)}`);
}
