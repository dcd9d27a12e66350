import {availableParallelism} from "node:os";

/**
 * Threads a fit uses when neither `train.threads` nor the model's own setting says: the
 * MLBOOK_THREADS environment variable (sweep workers set it to their share of the cores), else
 * one per core, as scikit-learn's OpenMP loops do.
 */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.MLBOOK_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}
