import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {storeRoot} from "../../../src/pipeline/engine/loadedConfig.ts";
import {gc} from "../../../src/pipeline/tracking/gc.ts";
import {trackingHooks} from "../../../src/pipeline/tracking/trackingHooks.ts";
import {
  diffRuns,
  lineage,
  listModels,
  listRuns,
  runDetail,
  type LineageNode
} from "../../../src/pipeline/tracking/queries.ts";
import {parseRef, resolveArtifact, resolveModel, setAlias} from "../../../src/pipeline/tracking/resolve.ts";
import {withProject} from "../../../src/pipeline/tracking/withProject.ts";
import type {Tracking} from "../../../src/pipeline/tracking/trackingTx.ts";
import {tinyConfig, tinyProject} from "../../helpers/project.ts";

const registerBlock = (threshold: number) =>
  `register:\n  name: tiny-model\n  criteria:\n    - metric: f1_macro\n      threshold: ${threshold}\n`;

function names(node: LineageNode): string[] {
  return [...new Set([`${node.name}:v${node.version}`, ...node.children.flatMap(names)])].sort();
}

describe("tracking runs, artifacts and the registry", () => {
  let dir: string;
  let tracking: Tracking;
  const ids: string[] = [];
  const run = async (overrides: string[] = [], file = "mlbook.yaml") => {
    const loaded = await loadConfig(join(dir, file), overrides);
    const result = await runPipeline(loaded, {hooks: [trackingHooks()]});
    ids.push(result.runId);
    return result;
  };
  const db = <T>(fn: Parameters<typeof withProject<T>>[1]) => withProject(tracking, fn);

  beforeAll(async () => {
    dir = tinyProject();
    writeFileSync(join(dir, "strict.yaml"), tinyConfig + registerBlock(0.9));
    writeFileSync(join(dir, "loose.yaml"), tinyConfig + registerBlock(0.5));
    tracking = {
      root: storeRoot(await loadConfig(join(dir, "mlbook.yaml"))),
      path: join(dir, ".mlbook", "tracking.duckdb")
    };
    await run(); // 0
    await run(); // 1: same content
    await run(["split.seed=8"]); // 2: new split, same clean data
    await run(["model.params.C=0.00001"], "strict.yaml"); // 3: a weak model, gated out
    await run([], "loose.yaml"); // 4: registered
  }, 60_000);

  it("records every run, with params, metrics and the journal emptied", async () => {
    const runs = await db((tx) => listRuns(tx));
    expect(runs.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(runs.every((r) => r.status === "ok" && r.metrics.accuracy > 0.5)).toBe(true);
    const detail = await db((tx) => runDetail(tx, ids[2]));
    expect(detail.params["split.seed"]).toBe(8);
    expect(detail.params["model.type"]).toBe("logistic_regression");
    expect(detail.steps.map((s) => s.step)).toEqual(["ingest", "clean", "split", "train", "evaluate"]);
    expect(existsSync(join(tracking.root, "runs", `${ids[0]}.json`))).toBe(false);
  });

  it("gives equal content the same version and new content the next one, moving latest", async () => {
    const versions = await db((tx) =>
      tx.rows<{name: string; version: number; run_id: string}>(
        "SELECT name, version, run_id FROM artifacts ORDER BY name, version"
      )
    );
    // Named per pipeline: this pipeline's own, numbered from 1.
    const of = (name: string) => versions.filter((v) => v.name === `tiny/${name}`).map((v) => v.version);
    expect(of("clean_data")).toEqual([1]);
    expect(of("raw_data")).toEqual([1]);
    expect(of("train_data")).toEqual([1, 2]);
    expect(versions.find((v) => v.name === "tiny/train_data" && v.version === 2)?.run_id).toBe(ids[2]);
    const produced = await db((tx) =>
      tx.rows<{run_id: string; version: number}>(
        "SELECT run_id, version FROM run_artifacts WHERE name = 'tiny/train_data'"
      )
    );
    expect(produced.find((p) => p.run_id === ids[1])?.version).toBe(1);
    // Runs 3 and 4 used the default split again: latest moved back to v1's content.
    expect((await db((tx) => resolveArtifact(tx, "train_data:latest", "tiny"))).version).toBe(1);
  });

  it("resolves name:vN, name:alias, name@alias and bare names, and names what exists on a miss", async () => {
    expect(parseRef("clean_data:v3")).toEqual({pipeline: null, name: "clean_data", version: 3, alias: null});
    expect(parseRef("clean_data@champion")).toEqual({
      pipeline: null,
      name: "clean_data",
      version: null,
      alias: "champion"
    });
    expect(parseRef("clean_data")).toEqual({
      pipeline: null,
      name: "clean_data",
      version: null,
      alias: "latest"
    });
    expect(parseRef("flights/model:v1")).toEqual({
      pipeline: "flights",
      name: "model",
      version: 1,
      alias: null
    });
    expect(() => parseRef("a/b/c")).toThrow("invalid reference");
    await db((tx) => setAlias(tx, "artifact", "tiny/train_data", 2, "gold"));
    const gold = await db((tx) => resolveArtifact(tx, "train_data@gold", "tiny"));
    expect([gold.version, gold.step, gold.output]).toEqual([2, "split", "train"]);
    expect((await db((tx) => resolveArtifact(tx, "train_data:gold", "tiny"))).key).toBe(gold.key);
    expect((await db((tx) => resolveArtifact(tx, "train_data:v1", "tiny"))).key).not.toBe(gold.key);
    await expect(db((tx) => resolveArtifact(tx, "train_data:v9", "tiny"))).rejects.toThrow(
      "train_data:v9: no such version (have v1, v2)"
    );
    // Another pipeline's name, said in full: the same version.
    expect((await db((tx) => resolveArtifact(tx, "tiny/train_data@gold", "other"))).key).toBe(gold.key);
    await expect(db((tx) => resolveArtifact(tx, "train_data@silver", "tiny"))).rejects.toThrow(
      'no alias "silver" (have: gold, latest)'
    );
    await expect(db((tx) => resolveArtifact(tx, "nope", "tiny"))).rejects.toThrow(
      /no artifact named "tiny\/nope" \(have: tiny\/clean_data, /
    );
    await expect(db((tx) => setAlias(tx, "artifact", "tiny/train_data", 1, "latest"))).rejects.toThrow(
      "invalid alias"
    );
  });

  it("links each artifact version to the versions it was computed from", async () => {
    const model = await db((tx) => resolveArtifact(tx, "model:v2", "tiny"));
    const tree = await db((tx) => lineage(tx, "tiny/model", model.version));
    expect(names(tree)).toEqual([
      "tiny/clean_data:v1",
      "tiny/model:v2",
      "tiny/raw_data:v1",
      "tiny/test_data:v2",
      "tiny/train_data:v2"
    ]);
    const down = await db((tx) => lineage(tx, "tiny/clean_data", 1, "down"));
    expect(names(down)).toContain("tiny/metrics:v2");
  });

  it("diffs two runs: changed params first, metric deltas b − a", async () => {
    const diff = await db((tx) => diffRuns(tx, ids[0], ids[2]));
    expect(diff.params.filter((p) => p.changed)).toEqual([{key: "split.seed", a: 7, b: 8, changed: true}]);
    const a = await db((tx) => runDetail(tx, ids[0]));
    const b = await db((tx) => runDetail(tx, ids[2]));
    const accuracy = diff.metrics.find((m) => m.key === "accuracy")!;
    expect(accuracy).toEqual({
      key: "accuracy",
      a: a.metrics.accuracy,
      b: b.metrics.accuracy,
      delta: b.metrics.accuracy - a.metrics.accuracy
    });
    expect(diff.metrics.some((m) => m.key === "f1.a")).toBe(true);
  });

  it("registers a model only when it passes the criteria, and the run says why", async () => {
    const strict = await db((tx) => runDetail(tx, ids[3]));
    expect(strict.run.note).toMatch(/^not registered as tiny-model: f1_macro 0\.\d+ < 0\.9$/);
    const loose = await db((tx) => runDetail(tx, ids[4]));
    expect(loose.run.note).toBe("registered tiny-model v1 (all criteria passed)");
    const models = await db((tx) => listModels(tx));
    expect(models.map((m) => [m.name, m.version, m.aliases, m.run_id])).toEqual([
      ["tiny-model", 1, "latest", ids[4]]
    ]);
    await db((tx) => setAlias(tx, "model", "tiny-model", 1, "champion"));
    const {artifact} = await db((tx) => resolveModel(tx, "tiny-model@champion"));
    expect([artifact.name, artifact.step, artifact.output]).toEqual([
      "tiny/model_export",
      "register",
      "model"
    ]);
  });

  it("pins a step to a recorded version: upstream skipped, key taken, resolution recorded", async () => {
    writeFileSync(join(dir, "pinned.yaml"), `${tinyConfig}from: [train_data@gold]\n`);
    const v2 = await db((tx) => resolveArtifact(tx, "train_data:v2", "tiny"));
    const result = await run([], "pinned.yaml");
    // The pinned data stands in for ingest and clean, so train no longer reads how clean replays
    // on new rows (it need not match the pinned rows): a model of its own, scoring features.
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ["split", "fresh"],
      ["train", "ran"],
      ["evaluate", "ran"]
    ]);
    expect(result.steps[0].key).toBe(v2.key);
    const rows = await db((tx) =>
      tx.rows("SELECT ref, name, version, key FROM resolutions WHERE run_id = ?", [result.runId])
    );
    expect(rows).toEqual([{ref: "train_data@gold", name: "tiny/train_data", version: 2, key: v2.key}]);
    writeFileSync(join(dir, "badpin.yaml"), `${tinyConfig}from: [train_data:v7]\n`);
    await expect(run([], "badpin.yaml")).rejects.toThrow("train_data:v7: no such version (have v1, v2)");
    ids.pop();
  });

  it("gc deletes only what nothing kept references, and says how many bytes", async () => {
    // An entry no run recorded (as an interrupted run would leave), and one only old runs used.
    const orphan = join(tracking.root, "store", "train", "f".repeat(64));
    mkdirSync(orphan, {recursive: true});
    writeFileSync(join(orphan, "model.json"), "x".repeat(1000));
    const dry = await db((tx) => gc(tx, tracking.root, {dryRun: true}));
    expect(dry.entries).toEqual([{step: "train", key: "f".repeat(64), bytes: 1000}]);
    expect(existsSync(orphan)).toBe(true);
    const all = await db((tx) => gc(tx, tracking.root));
    expect([all.bytes, all.runsDeleted, existsSync(orphan)]).toEqual([1000, 0, false]);
    // Keeping one run (the pinned one) drops runs 0–4: the weak model of run 3 had no alias and no
    // registration, so its entry goes; train_data:v1 keeps its entry through its alias.
    await db((tx) => setAlias(tx, "artifact", "tiny/train_data", 1, "gold"));
    const weak = await db((tx) =>
      tx.rows<{key: string}>("SELECT key FROM run_steps WHERE run_id = ? AND step = 'train'", [ids[3]])
    );
    const v1 = await db((tx) => resolveArtifact(tx, "train_data:v1", "tiny"));
    const kept = await db((tx) => gc(tx, tracking.root, {keepRuns: 1}));
    expect(kept.runsDeleted).toBe(5);
    const gone = new Set(kept.entries.map((e) => `${e.step}:${e.key}`));
    expect(gone.has(`train:${weak[0].key}`)).toBe(true);
    expect(gone.has(`split:${v1.key}`)).toBe(false);
    expect(kept.bytes).toBe(kept.entries.reduce((sum, e) => sum + e.bytes, 0));
    expect(existsSync(join(tracking.root, "store", "train", weak[0].key))).toBe(false);
    const collected = await db((tx) =>
      tx.rows<{name: string; version: number}>(
        "SELECT name, version FROM artifacts WHERE collected_at IS NOT NULL AND name = 'tiny/model'"
      )
    );
    // model:v1 too: only the registered model_export:v1 is kept, not the train entry it came from;
    // and v2, whose run was dropped (the pinned run trained a model of its own).
    expect(collected).toEqual([
      {name: "tiny/model", version: 1},
      {name: "tiny/model", version: 2},
      {name: "tiny/model", version: 3}
    ]);
    // Computing the same content again revives the version rather than numbering a new one.
    const rerun = await run(["model.params.C=0.00001"]);
    expect(rerun.steps.find((s) => s.name === "train")?.status).toBe("ran");
    const model = await db((tx) => resolveArtifact(tx, "model:latest", "tiny"));
    expect([model.version, model.collected_at]).toEqual([3, null]);
  }, 30_000);

  it("records a failed run with its error", async () => {
    writeFileSync(join(dir, "broken.yaml"), tinyConfig.replace("target: label", "target: labl"));
    await expect(run([], "broken.yaml")).rejects.toThrow();
    const runs = await db((tx) => listRuns(tx));
    const failed = runs.find((r) => r.status === "failed");
    expect(failed?.error).toMatch(/labl/);
  });
});
