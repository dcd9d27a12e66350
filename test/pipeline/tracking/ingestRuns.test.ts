import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {ingestRun, ingestRuns, type Ingested} from "../../../src/pipeline/tracking/ingestRun.ts";
import {withTracking} from "../../../src/pipeline/tracking/open.ts";
import {artifactVersions} from "../../../src/pipeline/tracking/queries.ts";
import type {ArtifactRecord, RunRecord} from "../../../src/pipeline/tracking/runRecord.ts";

const tables = [
  "runs",
  "params",
  "metrics",
  "run_steps",
  "artifacts",
  "run_artifacts",
  "lineage",
  "aliases",
  "resolutions",
  "models",
  "model_aliases"
];

function artifact(name: string, digest: string, upstream: string[] = []): ArtifactRecord {
  const step = name.split("_")[0];
  return {
    name,
    type: "table",
    description: null,
    step,
    output: "data",
    key: `key-${name}-${digest}`,
    digest,
    rows: 10,
    bytes: 100,
    upstream
  };
}

function run(id: string, artifacts: ArtifactRecord[], options: Partial<RunRecord> = {}): RunRecord {
  // Each run its own second, the same every time the records are built.
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, id.charCodeAt(id.length - 1) % 60)).toISOString();
  return {
    id,
    pipeline: "p",
    configDigest: `config-${id}`,
    gitCommit: null,
    startedAt: at,
    endedAt: at,
    status: "ok",
    error: null,
    params: {"model.type": "random_forest", "model.params.n_estimators": id.length},
    metrics: [{key: "accuracy", value: 0.5 + id.length / 100, step: null}],
    steps: [{name: "train", key: `train-${id}`, status: "ran", reason: "missing", durationMs: 12}],
    artifacts,
    registration: null,
    pins: [],
    sweepId: "sweep-1",
    ...options
  };
}

const passed = (name: string) => ({
  name,
  passed: true,
  checks: [],
  reason: "f1_macro 0.95 ≥ 0.9",
  output: "model",
  artifact: "train_model"
});

/** Runs as a sweep journals them: shared data, then jobs that repeat and vary the model. */
function records(): RunRecord[] {
  const raw = artifact("raw_data", "r1");
  const clean = artifact("clean_data", "c1", ["raw_data"]);
  const model = (digest: string) => artifact("train_model", digest, ["clean_data"]);
  return [
    run("run-a", [raw, clean]),
    run("run-b", [raw, clean, model("m1")], {registration: passed("tiny-model")}),
    run("run-c", [raw, clean, model("m2")], {registration: passed("tiny-model")}),
    // The same model content again (a rerun): same version, same registered model.
    run("run-d", [raw, clean, model("m1")], {registration: passed("tiny-model")}),
    // Content that gc collected, computed again: its old version, stored anew.
    run("run-e", [raw, artifact("clean_data", "c0", ["raw_data"])]),
    run("run-f", [raw, clean, model("m3")], {
      registration: {
        name: "tiny-model",
        passed: false,
        checks: [],
        reason: "f1_macro 0.5 < 0.9",
        output: "model",
        artifact: "train_model"
      }
    })
  ];
}

async function database(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "mlbook-ingest-")), "tracking.duckdb");
  // What the database already holds: clean_data v1 (content c0), collected by gc.
  await withTracking(path, async (tx) => {
    await ingestRun(tx, run("run-0", [artifact("clean_data", "c0")]));
    await tx.run("UPDATE artifacts SET collected_at = TIMESTAMP '2026-01-01 00:00:00'");
  });
  return path;
}

async function dump(path: string): Promise<Record<string, unknown[]>> {
  return withTracking(path, async (tx) => {
    const out: Record<string, unknown[]> = {};
    for (const table of tables) out[table] = await tx.rows(`SELECT * FROM ${table} ORDER BY ALL`);
    return out;
  });
}

const plain = (results: Ingested[]) => results.map((r) => ({...r, versions: Object.fromEntries(r.versions)}));

describe("ingestRuns", () => {
  it("writes a batch of runs exactly as writing them one by one does", async () => {
    const batch = records();
    const one = await database();
    const each: Ingested[] = [];
    for (const record of batch) each.push(await withTracking(one, (tx) => ingestRun(tx, record)));
    const all = await database();
    // A run given twice in a batch, and a run the database already holds, are not written again.
    const together = await withTracking(all, (tx) => ingestRuns(tx, [...batch, batch[1]]));
    const again = await withTracking(all, (tx) => ingestRuns(tx, [batch[2]]));

    expect(plain(together.slice(0, batch.length))).toEqual(plain(each));
    expect(plain([together[batch.length], ...again])).toEqual([
      {inserted: false, versions: {}, note: each[1].note},
      {inserted: false, versions: {}, note: each[2].note}
    ]);
    expect(await dump(all)).toEqual(await dump(one));
  }, 30_000);

  it("versions content, moves latest, links lineage and registers models across the batch", async () => {
    const path = await database();
    const results = await withTracking(path, (tx) => ingestRuns(tx, records()));
    const versions = results.map((r) => Object.fromEntries(r.versions));
    expect(versions).toEqual([
      {"p/raw_data": 1, "p/clean_data": 2},
      {"p/raw_data": 1, "p/clean_data": 2, "p/train_model": 1},
      {"p/raw_data": 1, "p/clean_data": 2, "p/train_model": 2},
      {"p/raw_data": 1, "p/clean_data": 2, "p/train_model": 1},
      {"p/raw_data": 1, "p/clean_data": 1},
      {"p/raw_data": 1, "p/clean_data": 2, "p/train_model": 3}
    ]);
    expect(results.map((r) => r.note)).toEqual([
      null,
      "registered tiny-model v1 (f1_macro 0.95 ≥ 0.9)",
      "registered tiny-model v2 (f1_macro 0.95 ≥ 0.9)",
      "tiny-model v1 already registered (same model)",
      null,
      "not registered as tiny-model: f1_macro 0.5 < 0.9"
    ]);
    const db = await dump(path);
    expect(db.aliases).toEqual([
      expect.objectContaining({name: "p/clean_data", alias: "latest", version: 2}),
      expect.objectContaining({name: "p/raw_data", alias: "latest", version: 1}),
      expect.objectContaining({name: "p/train_model", alias: "latest", version: 3})
    ]);
    expect(db.artifacts).toContainEqual(
      expect.objectContaining({
        name: "p/clean_data",
        version: 1,
        key: "key-clean_data-c0",
        collected_at: null
      })
    );
    expect(db.lineage).toContainEqual({
      name: "p/train_model",
      version: 2,
      upstream_name: "p/clean_data",
      upstream_version: 2
    });
    expect(db.lineage).toContainEqual({
      name: "p/clean_data",
      version: 1,
      upstream_name: "p/raw_data",
      upstream_version: 1
    });
    expect(db.runs).toHaveLength(7);
  }, 30_000);

  it("names and numbers artifacts per pipeline: two pipelines' train_model are cars/train_model and flights/train_model, each from v1", async () => {
    const path = await database();
    const model = (digest: string) => artifact("train_model", digest);
    await withTracking(path, (tx) =>
      ingestRuns(tx, [
        run("cars-1", [model("cars-a")], {pipeline: "cars"}),
        run("flights-1", [model("flights-a")], {pipeline: "flights"}),
        run("cars-2", [model("cars-b")], {pipeline: "cars"})
      ])
    );
    const versions = (name: string) =>
      withTracking(path, async (tx) =>
        (await artifactVersions(tx, name)).map((v) => [v.version, v.run_id, v.pipeline, v.aliases])
      );
    expect(await versions("cars/train_model")).toEqual([
      [1, "cars-1", "cars", ""],
      [2, "cars-2", "cars", "latest"]
    ]);
    expect(await versions("flights/train_model")).toEqual([[1, "flights-1", "flights", "latest"]]);
    await expect(versions("train_model")).rejects.toThrow(
      'no artifact named "train_model" (have: cars/train_model, flights/train_model, p/clean_data)'
    );
  });
});
