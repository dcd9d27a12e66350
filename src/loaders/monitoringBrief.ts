import {listMonitorBatches} from "../pipeline/tracking/recordMonitorBatch.ts";
import type {TrackingTx} from "../pipeline/tracking/trackingTx.ts";

/** The batches monitored against a pipeline's models, in brief: how many, and what the latest one showed. */
export interface MonitoringBrief {
  batches: number;
  latest: {
    file: string;
    /** When its rows were scored, ISO. */
    at: string;
    model: string;
    version: number | null;
    rows: number;
    /** Its flagged columns (and `prediction`, `metrics`): empty when nothing drifted. */
    drifted: string[];
  } | null;
}

export async function monitoringBrief(tx: TrackingTx, pipeline: string): Promise<MonitoringBrief> {
  const batches = await listMonitorBatches(tx, {pipeline});
  const latest = batches.at(-1);
  return {
    batches: batches.length,
    latest: latest
      ? {
          file: latest.file,
          at: latest.at,
          model: latest.model,
          version: latest.version,
          rows: latest.rows,
          drifted: latest.drifted
        }
      : null
  };
}
