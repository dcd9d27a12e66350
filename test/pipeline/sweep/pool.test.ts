import {execFileSync} from "node:child_process";
import {readdirSync, readFileSync, utimesSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {describe, expect, it} from "vitest";
import {sweepWorkerEntry} from "../../../src/cli/sweepWorkerEntry.ts";
import {prestartWorkers, startPool} from "../../../src/pipeline/sweep/pool.ts";
import {copyOfRepo, tinyProject} from "../../helpers/project.ts";

describe("sweep worker pool", () => {
  it("starts workers from the bundle only when it is as new as every source, else through tsx", async () => {
    const repo = copyOfRepo();
    const pool = (await import(
      pathToFileURL(join(repo, "src", "pipeline", "sweep", "pool.ts")).href
    )) as typeof import("../../../src/pipeline/sweep/pool.ts");
    const entry = {bundle: "worker", source: pathToFileURL(join(repo, "src", "cli", "sweepWorker.ts"))};
    const sources = {path: join(repo, "src", "cli", "sweepWorker.ts"), tsx: true};
    const bundle = {path: join(repo, "lib", "worker.js"), tsx: false};
    const started = (env: NodeJS.ProcessEnv = {}) => {
      const command = pool.workerCommand(entry, env);
      return {path: command.path, tsx: command.execArgv.includes("--import")};
    };
    expect(started()).toEqual(sources); // no bundle yet
    execFileSync(process.execPath, [join(repo, "bin", "bundle.js")]);
    expect(started()).toEqual(bundle);
    expect(started({MLBOOK_NO_BUNDLE: "1"})).toEqual(sources);
    // A source edited after the bundle was built: the bundle is stale.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(repo, "src", "pipeline", "engine", "run.ts"), later, later);
    expect(started()).toEqual(sources);
  }, 60_000);

  it("runs jobs in workers started ahead, each job's run recorded as part of its sweep", async () => {
    const dir = tinyProject();
    prestartWorkers("2", sweepWorkerEntry);
    const pool = startPool({workers: 2, entry: sweepWorkerEntry});
    const config = join(dir, "mlbook.yaml");
    const replies = await pool.run([
      {index: 1, config, overrides: ["model.params.C=0.5"], sweepId: "sweep-test"},
      {index: 2, config, overrides: ["model.params.C=2"], sweepId: "sweep-test"}
    ]);
    expect(replies.map((r) => [r.index, r.ok])).toEqual([
      [1, true],
      [2, true]
    ]);
    // Sweep jobs leave their runs in the journal, tagged with the sweep.
    const journal = join(dir, ".mlbook", "runs");
    const records = readdirSync(journal).map(
      (f) => JSON.parse(readFileSync(join(journal, f), "utf8")) as {id: string; sweepId: string | null}
    );
    expect(records.map((r) => r.id).sort()).toEqual(replies.map((r) => (r.ok ? r.runId : "")).sort());
    expect(records.every((r) => r.sweepId === "sweep-test")).toBe(true);
  }, 120_000);
});
