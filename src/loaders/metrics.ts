import {openDb, type Db} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";
import {classThresholds, type ClassThresholds} from "./classThresholds.ts";
import {artifactFile, artifactJson, currentRun} from "./currentRun.ts";
import {errorByColumn, type ColumnErrors} from "./errorByColumn.ts";
import type {PipelineContext} from "./pipelineContext.ts";
import {residualHistogram, type ResidualHistogram} from "./residualHistogram.ts";

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
  /**
   * What a model that learnt nothing scores on the same test rows, beside the model: the commonest
   * class (accuracy, balanced accuracy 1/K) and the classes' shares as probabilities (log loss);
   * for regression the mean (RMSE, MAE, R² 0).
   */
  baseline: {metric: string; model: number | null; baseline: number}[];
  /**
   * Reliability of the probabilities, in ten bins of the predicted probability: for two classes
   * the second class's probability against how often it was the class; for more, the top
   * probability (confidence) against how often the top class was right.
   */
  calibration: {bin: number; predicted: number; observed: number; rows: number}[];
  /**
   * Classification: each class against the rest (two classes: the positive one), binned so the
   * page counts the confusion matrix at any threshold, and its AUC. Empty without probabilities.
   */
  thresholds: ClassThresholds[];
  /** Regression: the histogram of every test row's residual. */
  residuals: ResidualHistogram | null;
  /** Regression: the errors per group of each column of the test rows (the split's test_data). */
  errorBy: ColumnErrors[];
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
    ...(await diagnostics(
      artifactFile(run, "predictions"),
      artifactFile(run, "test_data"),
      loaded.config.data,
      run.result.headline
    ))
  };
}

type Diagnostics = Pick<
  MetricsData,
  "worst" | "baseline" | "calibration" | "thresholds" | "residuals" | "errorBy"
>;

/**
 * What the page shows beyond the report, from the predictions artifact (the scored test rows) and,
 * for errors by column, the test rows themselves (test_data, in the same order).
 */
async function diagnostics(
  file: string | undefined,
  testFile: string | undefined,
  {task, target}: {task: string; target: string},
  headline: Record<string, number>
): Promise<Diagnostics> {
  if (!file) return {worst: [], baseline: [], calibration: [], thresholds: [], residuals: null, errorBy: []};
  const db = await openDb({files: testFile ? [file, testFile] : [file]});
  try {
    const rows = `(SELECT (row_number() OVER () - 1)::INTEGER AS row, * FROM read_parquet(${quoteString(file)}))`;
    const model = (name: string) => headline[name] ?? null;
    if (task !== "classification") {
      const worst = await db.rows<Record<string, string | number | null>>(
        `SELECT row, actual, prediction, prediction - actual AS error FROM ${rows}
         WHERE actual IS NOT NULL ORDER BY abs(prediction - actual) DESC, row LIMIT ${WORST}`
      );
      const [mean] = await db.rows<{rmse: number; mae: number}>(
        `SELECT sqrt(avg((actual - m) ^ 2)) AS rmse, avg(abs(actual - m)) AS mae
         FROM (SELECT actual, avg(actual) OVER () AS m FROM ${rows} WHERE actual IS NOT NULL)`
      );
      const baseline = [
        {metric: "r2", model: model("r2"), baseline: 0},
        {metric: "rmse", model: model("rmse"), baseline: mean.rmse},
        {metric: "mae", model: model("mae"), baseline: mean.mae}
      ];
      return {
        worst,
        baseline,
        calibration: [],
        thresholds: [],
        residuals: await residualHistogram(db, rows),
        errorBy: testFile
          ? await errorByColumn(db, await scoredTestRows(db, file, testFile, target), target)
          : []
      };
    }
    // The true class's probability: the column proba_<actual>, looked up per row.
    const columns = (await db.rows<{column_name: string}>(`DESCRIBE SELECT * FROM ${rows}`)).map(
      (c) => c.column_name
    );
    const proba = columns.filter((c) => c.startsWith("proba_"));
    const truth = proba.length
      ? `CASE actual ${proba.map((c) => `WHEN ${quoteString(c.slice("proba_".length))} THEN "${c.replace(/"/g, '""')}"`).join(" ")} END`
      : "NULL";
    const worst = await db.rows<Record<string, string | number | null>>(
      `SELECT row, actual, prediction, ${truth} AS p_actual FROM ${rows}
       WHERE actual IS DISTINCT FROM prediction ORDER BY p_actual NULLS LAST, row LIMIT ${WORST}`
    );
    const shares = await db.rows<{n: number; share: number}>(
      `SELECT count(*)::DOUBLE AS n, count(*) / (SUM(count(*)) OVER ()) AS share FROM ${rows}
       WHERE actual IS NOT NULL GROUP BY actual`
    );
    const k = Math.max(proba.length, shares.length);
    const baseline = [
      {metric: "accuracy", model: model("accuracy"), baseline: Math.max(...shares.map((c) => c.share))},
      {metric: "balanced_accuracy", model: model("balanced_accuracy"), baseline: 1 / k},
      {
        metric: "log_loss",
        model: model("log_loss"),
        baseline: -shares.reduce((sum, c) => sum + c.share * Math.log(c.share), 0)
      }
    ];
    const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
    const [p, hit] =
      proba.length === 2
        ? [q(proba[1]), `actual = ${quoteString(proba[1].slice("proba_".length))}`]
        : [`greatest(${proba.map(q).join(", ")})`, "actual = prediction"];
    const calibration = proba.length
      ? await db.rows<Diagnostics["calibration"][number]>(
          `SELECT least(floor(p * 10), 9)::INTEGER AS bin, avg(p) AS predicted, avg(hit::DOUBLE) AS observed,
             count(*)::INTEGER AS rows
           FROM (SELECT ${p} AS p, ${hit} AS hit FROM ${rows} WHERE actual IS NOT NULL) GROUP BY 1 ORDER BY 1`
        )
      : [];
    return {
      worst,
      baseline,
      calibration,
      thresholds: await classThresholds(db, rows, proba),
      residuals: null,
      errorBy: []
    };
  } finally {
    db.close();
  }
}

/**
 * The test rows with their actual value and prediction beside them (as __actual, __prediction),
 * matched by position: evaluate scores the test rows in their order. Rows without an actual value
 * are left out, as the metrics leave them out.
 */
async function scoredTestRows(db: Db, predictions: string, test: string, target: string): Promise<string> {
  const read = (f: string) => `read_parquet(${quoteString(f)}, file_row_number = true)`;
  // A full join, so that a row on one side only shows as a mismatch below.
  await db.run(
    `CREATE TEMP VIEW matched AS SELECT t.* EXCLUDE (file_row_number), p.actual AS __actual,
       p.prediction AS __prediction, t.file_row_number IS NOT NULL AND p.file_row_number IS NOT NULL AS __both
     FROM ${read(test)} t FULL JOIN ${read(predictions)} p ON t.file_row_number = p.file_row_number`
  );
  // Matched by position, each test row's target must be the actual value scored beside it.
  const [{wrong}] = await db.rows<{wrong: number}>(
    `SELECT count(*)::INTEGER AS wrong FROM matched
     WHERE NOT __both OR CAST(${quoteIdent(target)} AS DOUBLE) IS DISTINCT FROM __actual`
  );
  if (wrong)
    throw new Error(`metrics: ${wrong} test rows do not match the predictions scored in their place`);
  await db.run(
    "CREATE TEMP VIEW scored_test AS SELECT * EXCLUDE (__both) FROM matched WHERE __actual IS NOT NULL"
  );
  return "scored_test";
}
