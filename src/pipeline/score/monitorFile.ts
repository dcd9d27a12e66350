import type {Db} from "../engine/db.ts";
import {hashFile} from "../engine/hash.ts";
import {quoteIdent} from "../engine/sql.ts";
import {ConfigError, DataError} from "../errors.ts";
import {encodeLabels} from "../ml/bundle.ts";
import {headlineMetrics, lowerIsBetter} from "../ml/metrics/headline.ts";
import {classificationReport, regressionReport} from "../ml/metrics/index.ts";
import {compareColumn, short, type ColumnDrift, type CurrentColumn} from "../ml/monitor/compare.ts";
import {monitorReferenceSchema, type ColumnProfile} from "../ml/monitor/profile.ts";
import type {MonitorConfig} from "./monitorConfig.ts";
import type {Model} from "./model.ts";
import {predictedValue, SCORED, STAGED, stageAndScore, withScoringDb} from "./scoreFile.ts";

export interface MonitorOptions {
  /** The batch's column holding the true target: metrics beside the model's test metrics. */
  labels?: string;
  /** The model's test metrics (from tracking), to compare a labelled batch with. */
  testMetrics?: Record<string, number> | null;
  config: MonitorConfig;
  /** DuckDB's memory before it spills (as predict's --memory); default 512MB. */
  memory?: string;
}

export interface BatchMetrics {
  /** Rows with a label the metrics are computed on (missing labels and unknown classes left out). */
  rows: number;
  batch: Record<string, number>;
  test: Record<string, number> | null;
  /** `f1_macro 0.71 is 0.22 below test 0.93 (allowed 0.05)`. */
  flags: string[];
}

/** What one batch looks like against the model's training rows. */
export interface BatchReport {
  file: string;
  /** sha256 of the file's bytes: the same batch recorded twice is recognisable. */
  digest: string;
  rows: number;
  columns: ColumnDrift[];
  prediction: ColumnDrift;
  metrics: BatchMetrics | null;
  /** The flagged columns (and `prediction`, and `metrics`): non-empty means exit 3. */
  drifted: string[];
}

/**
 * Scores a batch file through the model's inference pipeline and compares every input column the
 * model reads, and its predictions, with the training profile kept in the bundle: PSI on the
 * reference's decile bins and KS for numbers, PSI and chi-square for categories, the change in
 * missing values, and unseen categories. With labels, the model's metrics on the batch too. The
 * batch goes through DuckDB, as `mlbook predict` takes it, reaching no other file.
 */
export async function monitorFile(
  model: Model,
  input: string,
  options: MonitorOptions
): Promise<BatchReport> {
  const {bundle} = model;
  if (!bundle.reference)
    throw new DataError(
      `this model has no training profile to compare with (it was trained by an mlbook before monitoring): run the pipeline again to retrain it`
    );
  const parsed = monitorReferenceSchema.safeParse(bundle.reference);
  if (!parsed.success)
    throw new DataError(
      `the model's training profile is malformed at reference.${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`
    );
  const reference = parsed.data;
  const wanted = options.config.columns;
  const known = new Set(reference.columns.map((c) => c.name));
  const unknown = (wanted ?? []).filter((c) => !known.has(c));
  if (unknown.length)
    throw new ConfigError(
      `monitor.columns: ${unknown.map((c) => JSON.stringify(c)).join(", ")} not read by the model (it reads ${[...known].join(", ")})`
    );
  const profiles = wanted ? reference.columns.filter((c) => wanted.includes(c.name)) : reference.columns;
  const digest = await hashFile(input).catch((error: unknown) => {
    throw new DataError(`${input}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  });
  return withScoringDb(
    "monitor",
    () => ({files: [input], memory: options.memory}),
    async (db) => {
      const keep = options.labels ? [options.labels] : [];
      const rows = await stageAndScore(db, model, input, {keep, keepFlag: "--labels"});
      const thresholds = options.config;
      const columns: ColumnDrift[] = [];
      for (const profile of profiles)
        columns.push(
          compareColumn(profile, await counted(db, STAGED, quoteIdent(profile.name), profile), thresholds)
        );
      const prediction = compareColumn(
        reference.prediction,
        await counted(db, SCORED, predictedValue(bundle), reference.prediction),
        thresholds
      );
      const metrics = options.labels ? await batchMetrics(db, model, options) : null;
      const drifted = [
        ...columns.filter((c) => c.flags.length).map((c) => c.name),
        ...(prediction.flags.length ? ["prediction"] : []),
        ...(metrics?.flags.length ? ["metrics"] : [])
      ];
      return {file: input, digest, rows, columns, prediction, metrics, drifted};
    }
  );
}

/** One column's values in the batch, counted as its profile counts them. */
async function counted(db: Db, table: string, expr: string, profile: ColumnProfile): Promise<CurrentColumn> {
  const [{n, missing}] = await db.rows<{n: bigint | number; missing: bigint | number}>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE v IS NULL OR (${profile.kind === "numeric" ? "isnan(v)" : "false"})) AS missing
     FROM (SELECT ${expr} AS v FROM ${table})`
  );
  if (profile.kind === "numeric") {
    const sorted = await db.numbers(
      `SELECT v FROM (SELECT CAST(${expr} AS DOUBLE) AS v FROM ${table}) WHERE v IS NOT NULL AND NOT isnan(v) ORDER BY v`
    );
    return {kind: "numeric", rows: Number(n), missing: Number(missing), sorted};
  }
  const groups = await db.rows<{v: string; c: bigint | number}>(
    `SELECT v, count(*) AS c FROM (SELECT CAST(${expr} AS VARCHAR) AS v FROM ${table}) WHERE v IS NOT NULL GROUP BY v`
  );
  return {
    kind: "categorical",
    rows: Number(n),
    missing: Number(missing),
    counts: new Map(groups.map((g) => [g.v, Number(g.c)]))
  };
}

/** The model's headline metrics on the batch's labelled rows, and how far they fell from test. */
async function batchMetrics(db: Db, model: Model, options: MonitorOptions): Promise<BatchMetrics> {
  const {bundle} = model;
  const label = options.labels!;
  const classification = bundle.task === "classification";
  const read = await db.columns(
    `SELECT CAST(__keep_0 AS ${classification ? "VARCHAR" : "DOUBLE"}) AS y, ${bundle.classes.length ? bundle.classes.map((_, k) => `c${k + 1}`).join(", ") + ", " : ""}c0
     FROM ${STAGED} POSITIONAL JOIN ${SCORED}`
  );
  const [y, ...rest] = read.columns;
  const predictedAll = rest.at(-1) as Float64Array;
  const probaAll = rest.slice(0, -1) as Float64Array[];
  let keep: number[];
  let metrics: Record<string, unknown>;
  if (classification) {
    const {labels} = encodeLabels(y, bundle.classes);
    keep = [];
    for (let i = 0; i < labels.length; ++i) if (labels[i] >= 0) keep.push(i);
    if (!keep.length)
      throw new DataError(
        `--labels ${label}: no row has a class the model knows (${bundle.classes.join(", ")})`
      );
    const truth = Int32Array.from(keep, (i) => labels[i]);
    const predicted = Int32Array.from(keep, (i) => predictedAll[i]);
    const proba = probaAll.map((p) => Float64Array.from(keep, (i) => p[i]));
    let report;
    try {
      report = classificationReport(truth, predicted, proba, bundle.classes);
    } catch {
      // A batch holding one class has no ROC AUC: the label metrics still stand.
      report = classificationReport(truth, predicted, undefined, bundle.classes);
    }
    metrics = {task: "classification", ...report};
  } else {
    const values = y as Float64Array;
    keep = [];
    for (let i = 0; i < values.length; ++i) if (Number.isFinite(values[i])) keep.push(i);
    if (!keep.length) throw new DataError(`--labels ${label}: no row has a numeric value`);
    metrics = {
      task: "regression",
      ...regressionReport(
        Float64Array.from(keep, (i) => values[i]),
        Float64Array.from(keep, (i) => predictedAll[i])
      )
    };
  }
  const batch = headlineMetrics(metrics);
  const test = options.testMetrics ?? null;
  const flags: string[] = [];
  for (const [name, allowed] of Object.entries(options.config.metrics)) {
    if (!(name in batch))
      throw new ConfigError(
        `monitor.metrics.${name}: not a metric of this model (it has ${Object.keys(batch).join(", ")})`
      );
    const reference = test?.[name];
    if (reference === undefined) continue;
    const lower = lowerIsBetter.has(name);
    const worse = lower ? batch[name] - reference : reference - batch[name];
    if (worse > allowed)
      flags.push(
        `${name} ${short(batch[name])} is ${short(worse)} ${lower ? "above" : "below"} test ${short(reference)} (allowed ${allowed})`
      );
  }
  return {rows: keep.length, batch, test, flags};
}
