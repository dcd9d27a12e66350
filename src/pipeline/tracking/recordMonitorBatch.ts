import type {TrackingTx} from "./trackingTx.ts";

/** A batch `mlbook monitor` compared, as tracking keeps it (history event `monitor_batch`). */
export interface MonitorBatch {
  id: string;
  /** The registered model's name (else the artifact's name, or the bundle's path). */
  model: string;
  version: number | null;
  /** The pipeline and run that trained it, when tracking knows them. */
  pipeline: string | null;
  runId: string | null;
  file: string;
  digest: string;
  rows: number;
  /** When the batch's rows were scored in production (--at), ISO; default when it was checked. */
  at: string;
  createdAt: string;
  /** The flagged columns (and `prediction`, `metrics`). */
  drifted: string[];
  /** The comparison: columns, prediction and metrics (BatchReport without file and digest). */
  report: unknown;
}

/** Records a monitored batch (the same id recorded again replaces it: a rebuild is idempotent). */
export async function recordMonitorBatch(tx: TrackingTx, batch: MonitorBatch): Promise<void> {
  await tx.run("INSERT OR REPLACE INTO monitor_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
    batch.id,
    batch.model,
    batch.version,
    batch.pipeline,
    batch.runId,
    batch.file,
    batch.digest,
    batch.rows,
    batch.at,
    batch.createdAt,
    JSON.stringify(batch.drifted),
    JSON.stringify(batch.report)
  ]);
}

export interface MonitorBatchRow extends Omit<MonitorBatch, "report"> {
  report: {columns: unknown[]; prediction: unknown; metrics: unknown};
}

/** A model's batches (every version, or one), oldest first by their time. */
export async function listMonitorBatches(
  tx: TrackingTx,
  filter: {model?: string; version?: number | null; pipeline?: string}
): Promise<MonitorBatchRow[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    where.push(clause);
    params.push(value);
  };
  if (filter.model !== undefined) add("model = ?", filter.model);
  if (filter.version !== undefined && filter.version !== null) add("version = ?", filter.version);
  if (filter.pipeline !== undefined) add("pipeline = ?", filter.pipeline);
  const rows = await tx.rows<{
    id: string;
    model: string;
    version: number | null;
    pipeline: string | null;
    run_id: string | null;
    file: string;
    digest: string;
    rows: number | bigint;
    at: string;
    created_at: string;
    drifted: string;
    report: string;
  }>(
    `SELECT id, model, version, pipeline, run_id, file, digest, rows, strftime(batch_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at,
       strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at, drifted, report
     FROM monitor_batches ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY batch_at, created_at`,
    params
  );
  return rows.map((r) => ({
    id: r.id,
    model: r.model,
    version: r.version,
    pipeline: r.pipeline,
    runId: r.run_id,
    file: r.file,
    digest: r.digest,
    rows: Number(r.rows),
    at: r.at,
    createdAt: r.created_at,
    drifted: JSON.parse(r.drifted) as string[],
    report: JSON.parse(r.report) as MonitorBatchRow["report"]
  }));
}
