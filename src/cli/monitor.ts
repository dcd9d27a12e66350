import {existsSync} from "node:fs";
import {loadConfig} from "../pipeline/builtins.ts";
import {newRunId} from "../pipeline/engine/runId.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {percent, short, type ColumnDrift} from "../pipeline/ml/monitor/compare.ts";
import {monitorConfig, type MonitorConfig} from "../pipeline/score/monitorConfig.ts";
import {monitorFile, type BatchReport} from "../pipeline/score/monitorFile.ts";
import {loadModel} from "../pipeline/score/model.ts";
import {appendHistory} from "../pipeline/tracking/history.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {
  listMonitorBatches,
  recordMonitorBatch,
  type MonitorBatch
} from "../pipeline/tracking/recordMonitorBatch.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {resolveModelRef, type ModelRef} from "./modelRef.ts";

export interface MonitorCommandOptions {
  config: string;
  labels?: string;
  at?: string;
  history?: boolean;
  json?: boolean;
  memory?: string;
}

/** Exit code of a batch that crossed a threshold: the retrain signal (as a failed data check). */
export const DRIFT_EXIT = 3;

/**
 * `mlbook monitor MODEL BATCH [--labels COL] [--at TIME]`: compares a batch with the model's
 * training rows, records it in tracking, prints what moved, and exits 3 when a threshold of the
 * config's `monitor:` section is crossed. `mlbook monitor MODEL --history` lists the batches.
 */
export async function monitorCommand(
  modelArg: string,
  batch: string | undefined,
  options: MonitorCommandOptions
): Promise<void> {
  const ref = await resolveModelRef(modelArg, options.config);
  const tracked = ref.name !== undefined && existsSync(options.config);
  const identity = {model: ref.name ?? ref.file, version: ref.version ?? null};
  if (options.history) {
    if (batch) throw new ConfigError("--history lists the batches recorded: give no batch file with it");
    if (!tracked) throw new ConfigError(`--history: ${modelArg} is a file, which tracking does not follow`);
    const batches = await withProject(projectTracking(options.config), (tx) =>
      listMonitorBatches(tx, {model: identity.model})
    );
    if (options.json) return void console.log(JSON.stringify(batches, null, 2));
    if (!batches.length) return void console.log(`no batches monitored for ${identity.model} yet`);
    const metric = firstMetric(batches.map((b) => b.report.metrics as BatchReport["metrics"]));
    const rows = batches.map((b) => [
      b.at.slice(0, 16).replace("T", " "),
      b.version === null ? "" : `v${b.version}`,
      b.file,
      b.rows.toLocaleString("en-US"),
      b.digest.slice(0, 8),
      ...(metric ? [formatMetric((b.report.metrics as BatchReport["metrics"])?.batch[metric])] : []),
      b.drifted.length ? b.drifted.join(", ") : "—"
    ]);
    for (const line of textTable(
      ["AT", "VERSION", "BATCH", "ROWS", "DIGEST", ...(metric ? [metric.toUpperCase()] : []), "DRIFTED"],
      rows,
      {right: [3], shrink: [2, metric ? 6 : 5], width: process.stdout.columns || 100}
    ))
      console.log(line);
    return;
  }
  if (!batch) throw new ConfigError("missing batch file (mlbook monitor MODEL BATCH, or --history)");
  const at = options.at ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(at)))
    throw new ConfigError(
      `invalid --at: ${JSON.stringify(options.at)} (expected a time such as 2026-05-31 or 2026-05-31T12:00Z)`
    );
  const config = await monitorSection(options.config);
  const testMetrics = tracked ? await runMetrics(options.config, ref) : null;
  const model = await loadModel(ref.file, {base: ref.base});
  let report: BatchReport;
  try {
    report = await monitorFile(model, batch, {
      labels: options.labels,
      testMetrics,
      config,
      memory: options.memory
    });
  } finally {
    model.close();
  }
  const record: MonitorBatch = {
    id: newRunId(),
    ...identity,
    pipeline: null,
    runId: ref.run ?? null,
    file: report.file,
    digest: report.digest,
    rows: report.rows,
    at: new Date(at).toISOString(),
    createdAt: new Date().toISOString(),
    drifted: report.drifted,
    report: {columns: report.columns, prediction: report.prediction, metrics: report.metrics}
  };
  if (tracked) {
    const tracking = projectTracking(options.config);
    await withProject(tracking, async (tx) => {
      const [run] = await tx.rows<{pipeline: string}>("SELECT pipeline FROM runs WHERE id = ?", [
        record.runId ?? ""
      ]);
      record.pipeline = run?.pipeline ?? null;
      await recordMonitorBatch(tx, record);
      await appendHistory(tracking.root, [{kind: "monitor_batch", batch: record}]);
    });
  }
  if (options.json) console.log(JSON.stringify({...record, thresholds: config}, null, 2));
  else printReport(record, report, ref, config, tracked);
  if (report.drifted.length) process.exitCode = DRIFT_EXIT;
}

/** The `monitor:` section of the config (its defaults when there is no config file). */
async function monitorSection(configFile: string): Promise<MonitorConfig> {
  if (!existsSync(configFile)) return monitorConfig.parse({});
  return (await loadConfig(configFile)).config.monitor;
}

/** The test metrics of the run that trained the model. */
async function runMetrics(configFile: string, ref: ModelRef): Promise<Record<string, number> | null> {
  if (!ref.run) return null;
  const rows = await withProject(projectTracking(configFile), (tx) =>
    tx.rows<{key: string; value: number}>(
      "SELECT key, value FROM metrics WHERE run_id = ? AND step IS NULL",
      [ref.run!]
    )
  );
  return rows.length ? Object.fromEntries(rows.map((r) => [r.key, r.value])) : null;
}

function firstMetric(metrics: BatchReport["metrics"][]): string | undefined {
  for (const m of metrics) {
    const names = Object.keys(m?.batch ?? {});
    const preferred = ["f1_macro", "accuracy", "r2", "rmse"].find((n) => names.includes(n));
    if (preferred ?? names[0]) return preferred ?? names[0];
  }
  return undefined;
}

function printReport(
  record: MonitorBatch,
  report: BatchReport,
  ref: ModelRef,
  config: MonitorConfig,
  tracked: boolean
): void {
  const model = ref.name ? `${ref.name}${ref.version ? `:v${ref.version}` : ""}` : ref.file;
  console.log(
    `monitor ${model}: ${report.file}, ${report.rows.toLocaleString("en-US")} rows at ${record.at.slice(0, 16).replace("T", " ")}`
  );
  const row = (d: ColumnDrift) => [
    d.name,
    d.test,
    d.psi === null ? "" : d.psi.toFixed(3),
    d.p_value === null ? "" : short(d.p_value),
    `${percent(d.missing.reference)} → ${percent(d.missing.current)}`,
    d.flags.length ? d.flags.join("; ") : "ok"
  ];
  const lines = textTable(
    ["COLUMN", "TEST", "PSI", "P", "MISSING", "DRIFT"],
    [...report.columns.map(row), row(report.prediction)],
    {right: [2, 3], shrink: [0, 5], width: process.stdout.columns || 120}
  );
  for (const line of lines) console.log(`  ${line}`);
  if (report.metrics) {
    const {batch, test, rows, flags} = report.metrics;
    console.log(
      `  metrics on ${rows.toLocaleString("en-US")} labelled rows (test: the run that trained the model)`
    );
    const table = textTable(
      ["METRIC", "BATCH", "TEST"],
      Object.keys(batch).map((k) => [k, formatMetric(batch[k]), formatMetric(test?.[k])]),
      {right: [1, 2]}
    );
    for (const line of table) console.log(`    ${line}`);
    for (const flag of flags) console.log(`    ${flag}`);
  }
  const thresholds = `PSI ≥ ${config.psi}, missing ± ${percent(config.missing)}, unseen ≥ ${percent(config.unseen)}${config.p_value ? `, p < ${config.p_value}` : ""}`;
  console.log(
    report.drifted.length
      ? `drift: ${report.drifted.join(", ")} (${thresholds}): exit ${DRIFT_EXIT}`
      : `no drift (${thresholds})`
  );
  if (!tracked) console.log("  (not recorded: the model is a file, not a tracked model)");
}
