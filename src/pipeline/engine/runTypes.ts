export type StepStatus = "fresh" | "ran";

export interface StepRecord {
  name: string;
  status: StepStatus;
  key: string;
  /** Why the step ran (or, for status, why it is stale); null when fresh. */
  reason: string | null;
  durationMs: number;
  rows: Record<string, number>;
  /** How many attempts the step took, when it was retried. */
  attempts?: number;
}

export interface RunResult {
  runId: string;
  pipeline: string;
  configDigest: string;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  /** The run's metrics report (per class, confusion matrix …), when a step made one this run read. */
  metrics: Record<string, unknown> | null;
  /** Headline metrics as one flat record of numbers (sklearn's metric names). */
  headline: Record<string, number>;
}

export interface RunLogger {
  step(record: StepRecord): void;
  progress(step: string, done: number, total: number): void;
  info(message: string): void;
}

export const silentLogger: RunLogger = {step() {}, progress() {}, info() {}};
