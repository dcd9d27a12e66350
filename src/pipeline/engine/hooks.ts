import type {Graph} from "./graph.ts";
import type {LoadedConfig} from "./loadedConfig.ts";
import type {RunLogger, StepRecord} from "./runTypes.ts";
import type {ArtifactVersion} from "./step.ts";

/** The run a hook is called for. */
export interface RunContext {
  loaded: LoadedConfig;
  /** The project's store root (`.mlbook/`). */
  root: string;
  /** Where a hook says what it did (tracking: "registered penguins-model v3"). */
  logger: RunLogger;
}

/** How a run resolved one `from:` reference. */
export interface Pin {
  ref: string;
  name: string;
  version: number;
  step: string;
  key: string;
}

/** A finished or failed run, as the last hook sees it. */
export interface RunOutcome extends RunContext {
  runId: string;
  pipeline: string;
  configDigest: string;
  startedAt: string;
  durationMs: number;
  graph: Graph;
  steps: StepRecord[];
  /** The run's metrics report (the output of type `metrics`), when it has one. */
  metrics: Record<string, unknown> | null;
  headline: Record<string, number>;
  /** How `from:` references resolved when the run started. */
  pins: Pin[];
  /** Null for a run that finished. */
  error: unknown;
}

/**
 * What add-ons attach to a run: tracking, the live preview, a remote store. The engine calls them
 * in order; a run without hooks runs the same, records nothing and resolves no references.
 * (Kedro's hook specs are the model.)
 */
export interface RunHooks {
  /** Before anything is read, planned or run: may refuse the run by throwing. */
  beforeRun?(run: RunContext): void | Promise<void>;
  /** Resolves an artifact reference, or undefined when this hook does not know it. */
  resolveArtifact?(ref: string, run: RunContext): Promise<ArtifactVersion | undefined>;
  /**
   * When a step's entry is not in the store (or is corrupt): may put it there from elsewhere (a
   * shared remote store) and say so; the step is then looked up again instead of run.
   */
  fetchEntry?(step: string, key: string, run: RunContext): Promise<boolean>;
  /** After each step, fresh or run. */
  afterStep?(record: StepRecord, run: RunContext): void | Promise<void>;
  /** After the run, finished or failed; a hook's own failure must not fail the run (the store has its results). */
  afterRun?(outcome: RunOutcome): void | Promise<void>;
}
