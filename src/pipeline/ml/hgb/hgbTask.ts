/** Threads of one fit at most (the control block has a slot per helper). */
export const MAX_THREADS = 8;

/**
 * One piece of work the threads of a fit share, each doing its share `i` of `n` (see
 * {@link HgbWorkspace.share}). Rows are shared out in contiguous ranges, features in contiguous
 * ranges of histogram passes: every number comes out the same whatever the thread count.
 */
export type HgbTask =
  | {type: "gradients"}
  | {type: "gather"; k: number; start: number; stop: number}
  | {type: "hist"; k: number; start: number; stop: number; slot: number}
  | {type: "partition"; feature: number; start: number; stop: number; binIdx: number; missingLeft: boolean}
  /** Adds the iteration's trees (when `trees`) to the validation rows' raw predictions, then their losses. */
  | {type: "score"; trees: boolean};

/**
 * What a workspace asks of the threads that share its work (HgbTeam): it posts a task, does share 0
 * itself in `own`, and returns when every share is done.
 */
export interface HgbHelpers {
  /** Threads, the fit's own included. */
  readonly size: number;
  /** Whether a task over this many rows is worth waking the helpers for. */
  worthIt(rows: number): boolean;
  run(task: HgbTask, own: (i: number, n: number) => void): void;
}
