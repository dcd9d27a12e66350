import {spawn, type ChildProcess} from "node:child_process";
import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterEach, describe, expect, it} from "vitest";
import {withTracking} from "../../../src/pipeline/tracking/open.ts";
import {repoRoot} from "../../helpers/project.ts";

/** Another process holding the database file (as a concurrent run would) for `ms`. */
function holdLock(path: string, ms: number): Promise<ChildProcess> {
  const script = `
    const {DuckDBInstance} = require(${JSON.stringify(join(repoRoot, "node_modules/@duckdb/node-api"))});
    DuckDBInstance.create(process.argv[1]).then((db) => {
      process.stdout.write("locked\\n");
      setTimeout(() => { db.closeSync(); }, ${ms});
    });`;
  const child = spawn(process.execPath, ["-e", script, path], {stdio: ["ignore", "pipe", "inherit"]});
  return new Promise((resolve) => child.stdout!.once("data", () => resolve(child)));
}

describe("withTracking", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
  });

  it("waits out another process's lock and then writes", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-lock-")), "tracking.duckdb");
    await withTracking(path, async () => undefined);
    child = await holdLock(path, 1500);
    const t0 = Date.now();
    await withTracking(path, (tx) => tx.run("INSERT INTO metrics VALUES ('r', 'accuracy', 0.5, NULL)"));
    expect(Date.now() - t0).toBeGreaterThan(500);
    const rows = await withTracking(path, (tx) =>
      tx.rows<{value: number}>("SELECT value FROM metrics WHERE run_id = 'r'")
    );
    expect(rows).toEqual([{value: 0.5}]);
  }, 20_000);

  it("gives up with a clear error when the lock outlasts the timeout", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-lock-")), "tracking.duckdb");
    child = await holdLock(path, 5000);
    await expect(withTracking(path, async () => undefined, {timeoutMs: 300})).rejects.toThrow(
      /stayed locked for 0\.3 s/
    );
  }, 20_000);

  it("serialises writers in one process and rolls back a failed transaction", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "mlbook-lock-")), "tracking.duckdb");
    const writes = Array.from({length: 5}, (_, i) =>
      withTracking(path, (tx) => tx.run("INSERT INTO metrics VALUES (?, 'n', ?, NULL)", [`r${i}`, i]))
    );
    const failing = withTracking(path, async (tx) => {
      await tx.run("INSERT INTO metrics VALUES ('bad', 'n', 1, NULL)");
      throw new Error("boom");
    });
    await Promise.all(writes);
    await expect(failing).rejects.toThrow("boom");
    const rows = await withTracking(path, (tx) =>
      tx.rows<{run_id: string}>("SELECT run_id FROM metrics ORDER BY run_id")
    );
    expect(rows.map((r) => r.run_id)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });
});
