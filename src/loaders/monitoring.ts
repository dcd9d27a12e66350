import type {ColumnDrift} from "../pipeline/ml/monitor/compare.ts";
import type {BatchMetrics} from "../pipeline/score/monitorFile.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {listMonitorBatches} from "../pipeline/tracking/recordMonitorBatch.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface MonitoredBatch {
  id: string;
  /** The model compared with (registered name, or artifact name) and its version. */
  model: string;
  version: number | null;
  file: string;
  digest: string;
  rows: number;
  /** When the batch's rows were scored (`--at`), ISO. */
  at: string;
  drifted: string[];
  columns: ColumnDrift[];
  prediction: ColumnDrift;
  metrics: BatchMetrics | null;
}

export interface MonitoringData {
  pipeline: string;
  task: string;
  /** The config's `monitor:` thresholds. */
  thresholds: PipelineContext["loaded"]["config"]["monitor"];
  /** Every batch `mlbook monitor` recorded for this pipeline's models, oldest first. */
  batches: MonitoredBatch[];
}

/** Page data of the Monitoring page: the batches monitored against this pipeline's models. */
export async function monitoring({name, loaded}: PipelineContext): Promise<MonitoringData> {
  const rows = await withProject(projectTracking(loaded.path), (tx) =>
    listMonitorBatches(tx, {pipeline: name})
  );
  return {
    pipeline: name,
    task: loaded.config.data.task,
    thresholds: loaded.config.monitor,
    batches: rows.map((b) => ({
      id: b.id,
      model: b.model,
      version: b.version,
      file: b.file,
      digest: b.digest,
      rows: b.rows,
      at: b.at,
      drifted: b.drifted,
      columns: b.report.columns as ColumnDrift[],
      prediction: b.report.prediction as ColumnDrift,
      metrics: b.report.metrics as BatchMetrics | null
    }))
  };
}
