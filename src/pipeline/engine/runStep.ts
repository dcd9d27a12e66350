import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {checkedOutputs, fileParts} from "./execute.ts";
import {plainRows} from "./plainRows.ts";
import {quoteIdent, quoteString} from "./sql.ts";
import type {FileValue, Step, StepContext} from "./step.ts";

/** What a step test gives for an input role: rows for a table, the value for JSON, a path for a file. */
export type TestInput = readonly Record<string, unknown>[] | unknown;

/** A step's outputs as a test sees them: rows for tables, values for JSON, bytes or text for files. */
export type TestOutputs = Record<string, unknown>;

/**
 * Runs one step on in-memory inputs, outside any pipeline: what a step's unit test needs. Table
 * inputs are rows, loaded into a fresh in-memory DuckDB; params go through the step's schema (so
 * its defaults apply and bad params fail as they would in a config); the result is checked against
 * the declared outputs, and tables come back as rows.
 */
export async function runStep(
  step: Step,
  options: {inputs?: Record<string, TestInput>; params?: unknown; log?: (message: string) => void} = {}
): Promise<TestOutputs> {
  const {openDb} = await import("./db.ts");
  const dir = await mkdtemp(join(tmpdir(), "mlbook-step-"));
  // As in a run: the step's SQL reaches its own folder and the files it is given, nothing else.
  const files = Object.entries(step.inputs)
    .filter(([role, spec]) => spec.kind === "file" && typeof options.inputs?.[role] === "string")
    .map(([role]) => resolve(options.inputs![role] as string));
  const db = await openDb({directories: [dir], files});
  try {
    const inputs: Record<string, unknown> = {};
    for (const [role, spec] of Object.entries(step.inputs)) {
      const given = options.inputs?.[role];
      if (given === undefined) {
        if (!spec.optional) throw new Error(`runStep: no input ${role} (the step reads a ${spec.kind})`);
        continue;
      }
      if (spec.kind !== "table") inputs[role] = given;
      else {
        const file = join(dir, `${role}.json`);
        await writeFile(file, JSON.stringify(given));
        const table = quoteIdent(`input_${role}`);
        await db.run(
          `CREATE TABLE ${table} AS SELECT * FROM read_json(${quoteString(file)}, format = 'array')`
        );
        inputs[role] = table;
      }
    }
    const ctx: StepContext = {
      db,
      log: options.log ?? (() => {}),
      progress() {},
      numbered: (relation) => `(SELECT *, row_number() OVER () AS __row FROM ${relation})`
    };
    const result = await step.run(inputs, step.params.parse(options.params ?? {}), ctx);
    const out: TestOutputs = {};
    for (const {name, spec, value} of checkedOutputs(step.outputs, result)) {
      if (spec.kind === "table") out[name] = typeof value === "string" ? await plainRows(db, value) : value;
      else if (spec.kind === "file") out[name] = fileParts(value as FileValue)!.data;
      else out[name] = value;
    }
    return out;
  } finally {
    db.close();
    await rm(dir, {recursive: true, force: true});
  }
}
