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

describe("schema version 8", () => {
  it("names and numbers artifacts per pipeline everywhere a version is named, keeping aliases, pins and registered models", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-schema-")), "tracking.duckdb");
    // A version-7 database, as it numbered artifacts across the folder: cars made model v1 and
    // v3, movies v2; clean_data v1 is cars', v2 movies'. cars' run 3 pinned model:v1.
    await withTracking(path, async (tx) => {
      await tx.run("DELETE FROM schema_version WHERE version >= 8");
      const at = (s: number) => `2026-01-01 00:00:0${s}`;
      for (const [id, pipeline, s] of [
        ["r1", "cars", 1],
        ["r2", "movies", 2],
        ["r3", "cars", 3]
      ] as const)
        await tx.run(
          "INSERT INTO runs (id, pipeline, config_digest, started_at, ended_at, status) VALUES (?, ?, 'c', ?, ?, 'ok')",
          [id, pipeline, at(s), at(s)]
        );
      for (const [name, version, run] of [
        ["model", 1, "r1"],
        ["model", 2, "r2"],
        ["model", 3, "r3"],
        ["clean_data", 1, "r1"],
        ["clean_data", 2, "r2"]
      ] as const)
        await tx.run(
          "INSERT INTO artifacts VALUES (?, ?, 'model', NULL, 's', 'o', ?, ?, NULL, 1, ?, ?, NULL)",
          [name, version, `key-${name}-${version}`, `digest-${name}-${version}`, run, at(version)]
        );
      await tx.run(`INSERT INTO run_artifacts VALUES ('r1', 'model', 1), ('r1', 'clean_data', 1),
        ('r2', 'model', 2), ('r2', 'clean_data', 2), ('r3', 'model', 3), ('r3', 'clean_data', 1)`);
      await tx.run(`INSERT INTO lineage VALUES ('model', 1, 'clean_data', 1), ('model', 2, 'clean_data', 2),
        ('model', 3, 'clean_data', 1)`);
      await tx.run(`INSERT INTO aliases VALUES ('model', 'latest', 3, '${at(3)}'), ('model', 'gold', 1, '${at(3)}'),
        ('clean_data', 'latest', 1, '${at(3)}')`);
      await tx.run("INSERT INTO resolutions VALUES ('r3', 'model:v1', 'model', 1, 'key-model-1')");
      await tx.run(`INSERT INTO models VALUES ('cars-model', 1, 'model', 3, 'r3', NULL, '${at(3)}'),
        ('movies-model', 1, 'model', 2, 'r2', NULL, '${at(2)}')`);
    });
    await withTracking(path, async (tx) => {
      const all = (sql: string) => tx.rows(`${sql} ORDER BY ALL`);
      expect(await all("SELECT name, version, key, run_id FROM artifacts")).toEqual([
        {name: "cars/clean_data", version: 1, key: "key-clean_data-1", run_id: "r1"},
        {name: "cars/model", version: 1, key: "key-model-1", run_id: "r1"},
        {name: "cars/model", version: 2, key: "key-model-3", run_id: "r3"},
        {name: "movies/clean_data", version: 1, key: "key-clean_data-2", run_id: "r2"},
        {name: "movies/model", version: 1, key: "key-model-2", run_id: "r2"}
      ]);
      expect(await all("SELECT run_id, name, version FROM run_artifacts WHERE run_id = 'r3'")).toEqual([
        {run_id: "r3", name: "cars/clean_data", version: 1},
        {run_id: "r3", name: "cars/model", version: 2}
      ]);
      expect(await all("SELECT * FROM lineage")).toEqual([
        {name: "cars/model", version: 1, upstream_name: "cars/clean_data", upstream_version: 1},
        {name: "cars/model", version: 2, upstream_name: "cars/clean_data", upstream_version: 1},
        {name: "movies/model", version: 1, upstream_name: "movies/clean_data", upstream_version: 1}
      ]);
      expect(await all("SELECT name, alias, version FROM aliases")).toEqual([
        {name: "cars/clean_data", alias: "latest", version: 1},
        {name: "cars/model", alias: "gold", version: 1},
        {name: "cars/model", alias: "latest", version: 2},
        {name: "movies/clean_data", alias: "latest", version: 1},
        {name: "movies/model", alias: "latest", version: 1}
      ]);
      expect(await all("SELECT ref, name, version FROM resolutions")).toEqual([
        {ref: "model:v1", name: "cars/model", version: 1}
      ]);
      expect(await all("SELECT name, artifact_name, artifact_version FROM models")).toEqual([
        {name: "cars-model", artifact_name: "cars/model", artifact_version: 2},
        {name: "movies-model", artifact_name: "movies/model", artifact_version: 1}
      ]);
      // A record journaled by the previous version pins by the bare name and the old number: its
      // store key finds the version as now named.
      const journaled = {
        ...run("journaled", 9, 0.8),
        pipeline: "cars",
        pins: [{ref: "model:v3", name: "model", version: 3, step: "train", key: "key-model-3"}]
      };
      await ingestRun(tx, journaled);
      expect(await all("SELECT name, version FROM resolutions WHERE run_id = 'journaled'")).toEqual([
        {name: "cars/model", version: 2}
      ]);
    });
  });
});
