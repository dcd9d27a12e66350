import type {TrackingTx} from "./trackingTx.ts";

export interface SweepWinner {
  sweepId: string;
  runId: string;
  metric: string;
  value: number;
  /** The run that registered the winner's model, when the sweep ran its final steps. */
  registerRunId: string | null;
}

/** Records which job of a sweep won (a sweep run again records its new winner). */
export async function recordSweepWinner(tx: TrackingTx, winner: SweepWinner): Promise<void> {
  await tx.run("INSERT OR REPLACE INTO sweep_winners VALUES (?, ?, ?, ?, ?)", [
    winner.sweepId,
    winner.runId,
    winner.metric,
    winner.value,
    winner.registerRunId
  ]);
}
