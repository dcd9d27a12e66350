import {formatDuration} from "./format.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {runDetail, type RunDetail} from "../pipeline/tracking/queries.ts";
import {workspaceTrackings} from "./workspaceTrackings.ts";
import {formatBytes, formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export async function showCommand(id: string, options: {config: string; json?: boolean}): Promise<void> {
  // The run is looked for in every tracking database of the workspace (see workspaceTrackings);
  // `latest` is the newest of them all.
  const found: RunDetail[] = [];
  for (const tracking of workspaceTrackings(options.config)) {
    try {
      found.push(await withProject(tracking, (tx) => runDetail(tx, id)));
      if (id !== "latest") break;
    } catch (error) {
      if (!(error instanceof ConfigError && error.message.startsWith("no run "))) throw error;
    }
  }
  const detail = found.sort((a, b) => (a.run.started_at < b.run.started_at ? 1 : -1))[0];
  if (!detail) throw new ConfigError(`no run ${JSON.stringify(id)} (see mlbook runs)`);
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
