import {openDb} from "../pipeline/engine/db.ts";
import {quoteString} from "../pipeline/engine/sql.ts";
import {artifactFile, artifactJson, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface Curves {
  classes?: {class: string; roc: {x: number[]; y: number[]}; pr: {x: number[]; y: number[]}}[];
  scores?: {bins: number; positive: number[]; negative: number[]};
  points?: {actual: number; predicted: number}[];
}

export interface MetricsData {
  pipeline: string;
  runId: string;
  task: string;
  headline: Record<string, number>;
  /** The full evaluation report (per class, confusion matrix, or regression errors). */
  report: Record<string, unknown> | null;
  curves: Curves | null;
  /**
   * The test rows the model got most wrong, from the predictions artifact: regression by absolute
   * error, classification the misclassified rows by how little probability the true class got.
   * `row` is the row's position among the test rows (0-based).
   */
  worst: Record<string, string | number | null>[];
}

/** Rows of worst errors the page lists. */
const WORST = 10;

/** Page data of the Metrics page: the evaluation report and its curves, as stored. */
export async function metrics({name, loaded}: PipelineContext): Promise<MetricsData> {
  const run = await currentRun(loaded);
  return {
    pipeline: name,
    runId: run.result.runId,
    task: loaded.config.data.task,
    headline: run.result.headline,
    report: run.result.metrics,
    curves: (await artifactJson<Curves>(run, "curves")) ?? null,
    worst: await worstErrors(artifactFile(run, "predictions"), loaded.config.data.task)
  };
}

async function worstErrors(
  file: string | undefined,
  task: string
): Promise<Record<string, string | number | null>[]> {
  if (!file) return [];
  const db = await openDb({files: [file]});
  try {
    const rows = `(SELECT (row_number() OVER () - 1)::INTEGER AS row, * FROM read_parquet(${quoteString(file)}))`;
    if (task !== "classification")
      return await db.rows(
        `SELECT row, actual, prediction, prediction - actual AS error FROM ${rows}
         WHERE actual IS NOT NULL ORDER BY abs(prediction - actual) DESC, row LIMIT ${WORST}`
      );
    // The true class's probability: the column proba_<actual>, looked up per row.
    const columns = (await db.rows<{column_name: string}>(`DESCRIBE SELECT * FROM ${rows}`)).map(
      (c) => c.column_name
    );
    const proba = columns.filter((c) => c.startsWith("proba_"));
    const truth = proba.length
      ? `CASE actual ${proba.map((c) => `WHEN ${quoteString(c.slice("proba_".length))} THEN "${c.replace(/"/g, '""')}"`).join(" ")} END`
      : "NULL";
    return await db.rows(
      `SELECT row, actual, prediction, ${truth} AS p_actual FROM ${rows}
       WHERE actual IS DISTINCT FROM prediction ORDER BY p_actual NULLS LAST, row LIMIT ${WORST}`
    );
  } finally {
    db.close();
  }
}
