import {existsSync, mkdtempSync, readdirSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {writePending} from "../../../src/pipeline/tracking/journal.ts";
import {withTracking} from "../../../src/pipeline/tracking/open.ts";
import type {RunRecord} from "../../../src/pipeline/tracking/runRecord.ts";
import {withProject} from "../../../src/pipeline/tracking/withProject.ts";

function record(id: string, pipeline: string): RunRecord {
  const at = "2026-01-01T00:00:00.000Z";
  return {
    id,
    pipeline,
    configDigest: "c",
    gitCommit: null,
    startedAt: at,
    endedAt: at,
    status: "ok",
    error: null,
    params: {"model.type": "logistic_regression"},
    metrics: [{key: "accuracy", value: 0.9, step: null}],
    steps: [{name: "train", key: `k-${id}`, status: "ran", reason: "missing", durationMs: 1}],
    artifacts: [],
    registration: null,
    pins: [],
    sweepId: null
  };
}

/**
 * A journaled record of the right shape that the database still refuses must not stop tracking:
 * it is moved aside naming the file and the database's reason, and every other record goes in.
 * (The database here refuses a pipeline named "poison", standing for any value it cannot take.)
 */
describe("a journaled run the tracking database refuses", () => {
  it("is moved aside with a warning; the runs beside it are recorded and the command goes on", async () => {
    const root = mkdtempSync(join(tmpdir(), "mlbook-refused-"));
    const tracking = {root, path: join(root, "tracking.duckdb")};
    await withTracking(tracking.path, async (tx) => {
      const columns = await tx.rows<{column_name: string; column_type: string}>("DESCRIBE runs");
      await tx.run("ALTER TABLE runs RENAME TO runs_unchecked");
      await tx.run(
        `CREATE TABLE runs (${columns.map((c) => `"${c.column_name}" ${c.column_type}`).join(", ")},
          PRIMARY KEY (id), CHECK (pipeline <> 'poison'))`
      );
      await tx.run("DROP TABLE runs_unchecked");
    });
    await writePending(root, record("20260101-000000-aaaaaa", "good"));
    const bad = await writePending(root, record("20260101-000000-bbbbbb", "poison"));
    await writePending(root, record("20260101-000000-cccccc", "good"));

    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (
      warnings.push(String(chunk)),
      true
    )) as typeof process.stderr.write;
    let ids: {id: string}[];
    try {
      ids = await withProject(tracking, (tx) => tx.rows<{id: string}>("SELECT id FROM runs ORDER BY id"));
    } finally {
      process.stderr.write = write;
    }
    expect(ids.map((r) => r.id)).toEqual(["20260101-000000-aaaaaa", "20260101-000000-cccccc"]);
    expect(warnings.join("")).toContain(`${bad} was refused by the tracking database (Constraint Error`);
    expect(existsSync(join(root, "runs", "rejected", "20260101-000000-bbbbbb.json"))).toBe(true);
    expect(readdirSync(join(root, "runs")).filter((n) => n.endsWith(".json"))).toEqual([]);
    // The two recorded runs are in the history, the refused one is not.
    const history = readdirSync(join(root, "history"));
    expect(history.filter((n) => n.includes("-run-")).map((n) => n.replace(/^.*-run-/, ""))).toEqual([
      "20260101-000000-aaaaaa.json",
      "20260101-000000-cccccc.json"
    ]);
  });

  it("is not blamed for a database that fails without it: a schema it cannot migrate leaves the journal whole", async () => {
    const root = mkdtempSync(join(tmpdir(), "mlbook-refused-"));
    const tracking = {root, path: join(root, "tracking.duckdb")};
    await withTracking(tracking.path, (tx) => tx.run("INSERT INTO schema_version VALUES (999)"));
    await writePending(root, record("20260101-000000-aaaaaa", "good"));
    await writePending(root, record("20260101-000000-bbbbbb", "good"));
    await expect(withProject(tracking, (tx) => tx.rows("SELECT 1"))).rejects.toThrow(
      "schema version 999, newer than this mlbook knows"
    );
    expect(existsSync(join(root, "runs", "rejected"))).toBe(false);
    expect(
      readdirSync(join(root, "runs"))
        .filter((n) => n.endsWith(".json"))
        .sort()
    ).toEqual(["20260101-000000-aaaaaa.json", "20260101-000000-bbbbbb.json"]);
  });
});
