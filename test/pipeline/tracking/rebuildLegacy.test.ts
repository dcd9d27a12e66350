import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {appendHistory} from "../../../src/pipeline/tracking/history.ts";
import {withTracking} from "../../../src/pipeline/tracking/open.ts";
import {rebuildTracking} from "../../../src/pipeline/tracking/rebuild.ts";
import type {ArtifactRecord, RunRecord} from "../../../src/pipeline/tracking/runRecord.ts";

function model(digest: string): ArtifactRecord {
  return {
    name: "model",
    type: "model",
    description: null,
    step: "train",
    output: "model",
    key: `key-${digest}`,
    digest,
    rows: null,
    bytes: 1,
    upstream: []
  };
}

function run(id: string, pipeline: string, second: number, digest: string): RunRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
  return {
    id,
    pipeline,
    configDigest: "c",
    gitCommit: null,
    startedAt: at,
    endedAt: at,
    status: "ok",
    error: null,
    params: {},
    metrics: [],
    steps: [{name: "train", key: `key-${digest}`, status: "ran", reason: "missing", durationMs: 1}],
    artifacts: [model(digest)],
    registration: null,
    pins: [],
    sweepId: null
  };
}

describe("a history written before artifacts were named per pipeline", () => {
  it("rebuilds with each alias on the content it named, though the version numbers changed", async () => {
    const root = mkdtempSync(join(tmpdir(), "mlbook-legacy-"));
    // Then: cars made model v1 and v3 (content a, c), movies v2 (b); gold was set on v2, silver on v3.
    await appendHistory(root, [
      {kind: "run", record: run("r1", "cars", 1, "a")},
      {kind: "run", record: run("r2", "movies", 2, "b")},
      {kind: "alias", target: "artifact", name: "model", version: 2, alias: "gold"},
      {kind: "run", record: run("r3", "cars", 3, "c")},
      {kind: "run", record: run("r4", "cars", 4, "a")},
      {kind: "alias", target: "artifact", name: "model", version: 3, alias: "silver"},
      // Set after the change: the name as tracked now.
      {kind: "alias", target: "artifact", name: "cars/model", version: 1, alias: "bronze"}
    ]);
    const tracking = {root, path: join(root, "tracking.duckdb")};
    const result = await rebuildTracking(tracking);
    expect(result.skipped).toEqual([]);
    const aliases = await withTracking(tracking.path, (tx) =>
      tx.rows(
        "SELECT l.name, l.alias, l.version, a.digest FROM aliases l JOIN artifacts a USING (name, version) ORDER BY ALL"
      )
    );
    expect(aliases).toEqual([
      {name: "cars/model", alias: "bronze", version: 1, digest: "a"},
      {name: "cars/model", alias: "latest", version: 1, digest: "a"},
      {name: "cars/model", alias: "silver", version: 2, digest: "c"},
      {name: "movies/model", alias: "gold", version: 1, digest: "b"},
      {name: "movies/model", alias: "latest", version: 1, digest: "b"}
    ]);
  });
});
