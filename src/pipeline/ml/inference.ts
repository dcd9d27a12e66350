/**
 * How raw rows become a model's feature rows, as data: the row-wise parts of the steps before
 * training, replayed on new rows by the scoring engine (SQL over DuckDB, or a workspace module by
 * its digest), never code in the bundle. Each step of the data chain that replays adds its
 * stages; train closes the pipeline (window state, the raw columns it needs) into the bundle.
 */
export interface InferencePipeline {
  /** The columns scoring starts from, as the first step of the chain read them (name, DuckDB type). */
  raw: {name: string; type: string}[];
  stages: InferenceStage[];
  /** A few raw rows, for an input example (JSON values). */
  example: Record<string, unknown>[];
  /**
   * A step of the chain that does not replay (it reads other rows, or is not row-wise): scoring
   * starts from its output, whose columns `raw` then lists. Absent when scoring starts from the
   * data as read.
   */
  from?: string;
}

export type InferenceStage = SelectStage | WindowStage | ModuleStage;

/** One SELECT over the previous stage's columns. */
export interface SelectStage {
  kind: "select";
  step: string;
  /**
   * The output columns in order. A column whose expression cannot be computed from what the input
   * has (it reads a column the input lacks) is left out: it was not needed, or a later check says
   * which raw column is missing.
   */
  columns: {name: string; expr: string}[];
  /**
   * Rules training applies by dropping rows (a filter, a required value): scoring keeps the row
   * and flags it with the message where the expression is not true.
   */
  flags: {expr: string; message: string}[];
}

/**
 * Aggregates over earlier rows of the same group (featurize's windows), with the rows they need
 * from before the first row scored: the end of the training rows, kept in the bundle by train.
 */
export interface WindowStage {
  kind: "window";
  step: string;
  windows: WindowSpec[];
  /** Per window, the earlier rows it reads: group, order and value (JSON values), oldest first. */
  state: {by: unknown; order: unknown; value: unknown}[][];
}

export interface WindowSpec {
  column: string;
  by?: string;
  order: string;
  rows?: number;
  days?: number;
  agg: string;
  name: string;
}

/** A workspace step that declared `replay: true`, run again from its module (refused if its code changed). */
export interface ModuleStage {
  kind: "module";
  step: string;
  module: {path: string; digest: string};
  params: unknown;
}

/** A chain that replays nothing yet: scoring starts from `raw`. */
export function startPipeline(
  raw: InferencePipeline["raw"],
  example: InferencePipeline["example"],
  from?: string
): InferencePipeline {
  return {raw, stages: [], example, ...(from ? {from} : {})};
}

/** The pipeline with one more stage (a copy). */
export function withStage(pipeline: InferencePipeline, stage: InferenceStage): InferencePipeline {
  return {...pipeline, stages: [...pipeline.stages, stage]};
}
