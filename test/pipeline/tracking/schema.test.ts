import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {ingestRun} from "../../../src/pipeline/tracking/ingestRun.ts";
import {withTracking} from "../../../src/pipeline/tracking/open.ts";
import {listRuns, listSweeps} from "../../../src/pipeline/tracking/queries.ts";
import type {RunRecord} from "../../../src/pipeline/tracking/runRecord.ts";
import {SCHEMA_VERSION} from "../../../src/pipeline/tracking/schema.ts";

function run(id: string, second: number, accuracy: number | null): RunRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
  return {
    id,
    pipeline: "p",
    configDigest: "c",
    gitCommit: null,
    startedAt: at,
    endedAt: at,
    status: "ok",
    error: null,
    params: {},
    metrics: accuracy === null ? [] : [{key: "accuracy", value: accuracy, step: null}],
    steps: [],
    artifacts: [],
    registration: null,
    pins: [],
    sweepId: "sweep-1"
  };
}

describe("the tracking schema", () => {
  it("brings a database of the sweep-role-less version up to date, keeping its runs and telling jobs apart", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-schema-")), "tracking.duckdb");
    // A database as the previous version wrote it: no sweep_role column. Its sweep has two jobs,
    // a shared-steps run (no metrics) and the run that registered the winner, all with the sweep id.
    await withTracking(path, async (tx) => {
      for (const [id, second, accuracy] of [
        ["shared", 1, null],
        ["job-1", 2, 0.8],
        ["job-2", 3, 0.9],
        ["register", 4, 0.9]
      ] as const)
        await ingestRun(tx, run(id, second, accuracy));
      await tx.run("INSERT INTO sweep_winners VALUES ('sweep-1', 'job-2', 'accuracy', 0.9, 'register')");
      await tx.run("ALTER TABLE runs DROP COLUMN sweep_role");
      await tx.run("ALTER TABLE runs DROP COLUMN source");
      await tx.run("DELETE FROM schema_version WHERE version >= 4");
    });
    await withTracking(path, async (tx) => {
      const [{version}] = await tx.rows<{version: number}>(
        "SELECT max(version) AS version FROM schema_version"
      );
      expect(version).toBe(SCHEMA_VERSION);
      const runs = await listRuns(tx);
      expect(runs.map((r) => [r.id, r.sweep_id, r.sweep_role])).toEqual([
        ["register", "sweep-1", null],
        ["job-2", "sweep-1", null],
        ["job-1", "sweep-1", null],
        ["shared", "sweep-1", null]
      ]);
      // Old register runs are known from sweep_winners; an old shared run cannot be told from a job.
      expect((await listRuns(tx, {sweep: "sweep-1"})).map((r) => r.id)).toEqual(["job-2", "job-1", "shared"]);
      // Runs recorded from now on carry their part.
      await ingestRun(tx, {...run("new-shared", 5, null), sweepId: "sweep-2", sweepRole: "shared"});
      await ingestRun(tx, {...run("new-job", 6, 0.7), sweepId: "sweep-2", sweepRole: "job"});
      await ingestRun(tx, {...run("new-winner", 7, 0.7), sweepId: "sweep-2", sweepRole: "winner"});
      expect((await listRuns(tx, {sweep: "sweep-2"})).map((r) => r.id)).toEqual(["new-job"]);
      expect((await listSweeps(tx)).map((w) => [w.id, w.jobs])).toEqual([
        ["sweep-2", 1],
        ["sweep-1", 3]
      ]);
    });
  });
});

describe("schema version 5", () => {
  it("renames the role of a sweep's registering run to winner, in the database and in journaled records", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-schema-")), "tracking.duckdb");
    // A version-4 database: its registering run says 'register'.
    await withTracking(path, async (tx) => {
      await ingestRun(tx, {...run("job", 1, 0.8), sweepRole: "job"});
      await ingestRun(tx, {...run("old-winner", 2, 0.8), sweepRole: "winner"});
      await tx.run("UPDATE runs SET sweep_role = 'register' WHERE id = 'old-winner'");
    });
    await withTracking(path, async (tx) => {
      await tx.run("ALTER TABLE runs DROP COLUMN source");
      await tx.run("DELETE FROM schema_version WHERE version >= 5");
    });
    await withTracking(path, async (tx) => {
      // A record journaled by the previous version reaches the database after the upgrade.
      const journaled = {...run("journaled", 3, 0.8), sweepRole: "register"} as unknown as RunRecord;
      await ingestRun(tx, journaled);
      const roles = await tx.rows<{id: string; sweep_role: string}>(
        "SELECT id, sweep_role FROM runs ORDER BY id"
      );
      expect(roles.map((r) => [r.id, r.sweep_role])).toEqual([
        ["job", "job"],
        ["journaled", "winner"],
        ["old-winner", "winner"]
      ]);
    });
  });
});
