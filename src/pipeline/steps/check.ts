import {isAbsolute} from "node:path";
import {columnExpectations} from "./checks/columnExpectations.ts";
import {driftChecks} from "./checks/driftChecks.ts";
import {failureSummary} from "./checks/failureSummary.ts";
import type {CheckReport, DriftResult, Expectation} from "./checks/report.ts";
import {tableExpectations} from "./checks/tableExpectations.ts";
import type {Db} from "../engine/db.ts";
import {CheckFailedError, ConfigError, DataError} from "../errors.ts";
import {defineStep, type Config} from "../engine/step.ts";
import {firstLine, formatOf, readerSql} from "./ingest.ts";
import {checkParams, type CheckParams, type DriftRules} from "./checks/rules.ts";

/**
 * Validates the cleaned data: table and column expectations, and drift against a reference. All of
 * it is SQL aggregates over the relation, so 3 million rows cost a few scans, not an array. Returns
 * the report when every `error` expectation passed; otherwise throws CheckFailedError (exit 3)
 * listing the failures. Failed `warn` expectations are logged and kept in the report.
 */
export const check = defineStep({
  name: "check",
  module: import.meta.url,
  params: checkParams,
  /** Optional data validation of the cleaned rows: expectations and drift (exit 3 on failure). */
  sections: {check: checkParams.optional()},
  inputs: {data: {kind: "table"}},
  outputs: {report: {kind: "json", artifact: "check_report", type: "report"}},
  references: (config) => {
    const artifact = checkOf(config)?.drift?.artifact;
    return artifact ? [artifact] : [];
  },
  configure(config, env) {
    const own = checkOf(config);
    if (!own) return null;
    const drift = own.drift;
    // A drift reference is data: its content enters the key, its path does not. A reference
    // artifact is resolved to its stored file when the run starts (a run hook looks it up).
    let reference: string | undefined;
    let format = drift?.format;
    if (drift?.reference) reference = env.resolveSource(drift.reference);
    else if (drift?.artifact) {
      const found = env.artifact(drift.artifact);
      if (found && found.type !== "dataset")
        throw new ConfigError(
          `invalid check.drift.artifact: ${drift.artifact} is ${found.name}:v${found.version}, a ${found.type}, not a dataset`
        );
      reference = found?.file;
      if (found) format = "parquet";
    } else reference = drift?.reference_path;
    const params = drift ? {...own, drift: {...drift, reference_path: reference, format}} : own;
    return {
      params,
      identity: {check: {...own, drift: drift && {...drift, reference_path: undefined}}},
      sources: reference ? [reference] : []
    };
  },
  async run(inputs, params, ctx) {
    const report = await checkData(ctx.db, inputs.data, params);
    if (report.expectations.some((e) => !e.passed && e.severity === "error")) {
      throw new CheckFailedError(failureSummary(report), report);
    }
    for (const e of report.expectations) if (!e.passed) ctx.log(`warning: ${e.message}`);
    return {report};
  }
});

function checkOf(config: Config): CheckParams | undefined {
  return config.check as CheckParams | undefined;
}

export async function checkData(db: Db, relation: string, params: CheckParams): Promise<CheckReport> {
  const types = await columnTypes(db, relation);
  const [{n: rows}] = await db.rows<{n: number}>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${relation}`);
  const expectations: Expectation[] = [
    ...(await tableExpectations(db, relation, rows, params.table, params.severity)),
    ...(await columnExpectations(db, relation, types, params.columns, params.severity))
  ];
  let drift: DriftResult[] = [];
  if (params.drift) {
    const result = await withReference(db, params.drift, (reference, referenceTypes, label) =>
      driftChecks(db, relation, types, reference, referenceTypes, label, params.drift!)
    );
    drift = result.drift;
    expectations.push(...result.expectations);
  }
  return {rows, passed: expectations.every((e) => e.passed), expectations, drift};
}

async function columnTypes(db: Db, relation: string): Promise<Map<string, string>> {
  const schema = await db.rows<{column_name: string; column_type: string}>(
    `DESCRIBE SELECT * FROM ${relation}`
  );
  return new Map(schema.map((c) => [c.column_name, c.column_type]));
}

let references = 0;

/**
 * Loads the reference file into a temporary table for the duration of `use` (a CSV is parsed once,
 * not once per column), then drops it. Parquet stays a view: it is already columnar.
 */
async function withReference<T>(
  db: Db,
  rules: DriftRules,
  use: (relation: string, types: Map<string, string>, label: string) => Promise<T>
): Promise<T> {
  const path = rules.reference_path ?? rules.reference!;
  if (!isAbsolute(path)) {
    throw new ConfigError(
      `invalid check.drift.reference: ${JSON.stringify(path)} (expected the graph to resolve it to an absolute reference_path)`
    );
  }
  const format = rules.format ?? formatOf(path);
  const relation = `__check_reference_${++references}`;
  const kind = format === "parquet" ? "VIEW" : "TABLE";
  try {
    await db.run(`CREATE TEMP ${kind} ${relation} AS SELECT * FROM ${await readerSql(db, path, format)}`);
  } catch (error) {
    throw new DataError(`${path}: cannot read the drift reference as ${format}: ${firstLine(error)}`);
  }
  try {
    return await use(relation, await columnTypes(db, relation), rules.artifact ?? path);
  } finally {
    await db.run(`DROP ${kind} IF EXISTS ${relation}`);
  }
}
