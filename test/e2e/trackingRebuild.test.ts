import {appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/**
 * The tracking database can be lost without losing tracking: every change to it is also a file in
 * `.mlbook/history/`, and `mlbook tracking rebuild` replays them into a new database.
 */
const indent = (line: string) => line.search(/\w+:v\d+/);
const node = (line: string) => /(\w+:v\d+)/.exec(line)![1];

describe("mlbook tracking rebuild", () => {
  const views = ["runs", "models", "artifacts", "sweeps"] as const;
  const snapshot = async (dir: string) => {
    const out: Record<string, unknown> = {};
    for (const view of views) {
      const r = await mlbook(dir, [view, "--json"]);
      expect(r.status, `${view}: ${r.stderr}`).toBe(0);
      out[view] = JSON.parse(r.stdout);
    }
    const lineage = await mlbook(dir, ["lineage", "model", "--json"]);
    expect(lineage.status, lineage.stderr).toBe(0);
    out.lineage = JSON.parse(lineage.stdout);
    return out;
  };

  it("makes a corrupt or lost database again: runs, versions, registry, aliases, sweeps, deletions", async () => {
    const dir = tinyProject();
    appendFileSync(
      join(dir, "mlbook.yaml"),
      "register:\n  name: tiny-model\n  criteria:\n    - {metric: accuracy, threshold: 0.5}\n"
    );
    const ok = async (args: string[]) => {
      const r = await mlbook(dir, args);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok(["run"]);
    await ok(["run", "model.params.C=0.3"]);
    await ok(["run", "-m", "model.params.C=0.1,10"]);
    await ok(["models", "alias", "tiny-model", "1", "champion"]);
    await ok(["artifacts", "alias", "clean_data", "1", "golden"]);
    // Two versions side by side, what differs marked (before gc drops their runs' params).
    const diff = (await ok(["models", "diff", "tiny-model:v1", "tiny-model:v2"])).stdout;
    expect(diff).toMatch(/\n\* C +1 +0\.3\n/);
    expect(diff).toMatch(/\n {2}model type +logistic_regression +logistic_regression\n/);
    expect(diff).toMatch(/\d+ of \d+ fields differ \(\*\)/);
    expect((await ok(["models", "diff", "tiny-model:v1", "tiny-model@champion"])).stdout).toMatch(
      /\n0 of \d+ fields differ/
    );
    await ok(["gc", "--keep-runs", "4"]);
    await ok(["run", "model.params.C=0.3"]); // all fresh: reaches the database with the next command
    const before = await snapshot(dir);
    expect((before.runs as unknown[]).length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(before.models)).toContain("champion");
    // Each version says what it is: model type, params, the run that registered it.
    const newest = (
      before.models as {model_type: string; params: Record<string, unknown>; run_id: string}[]
    )[0];
    expect(newest.model_type).toBe("logistic_regression");
    expect([0.1, 10]).toContain(newest.params.C); // the sweep's winner registered last
    // lineage --down names a subtree it reached before instead of printing it again.
    const down = (await ok(["lineage", "clean_data", "--down"])).stdout.split("\n");
    expect(down.some((l) => l.endsWith("(as above)"))).toBe(true);
    const walked = down.filter((l) => /\w+:v\d+ \(/.test(l) && !l.endsWith("(as above)"));
    const parents = walked.filter((l, i) => walked[i + 1] && indent(walked[i + 1]) > indent(l));
    expect(new Set(parents.map(node)).size).toBe(parents.length);
    const table = (await ok(["models"])).stdout;
    expect(table).toMatch(/MODEL +VERSION +ALIASES +TYPE +PARAMS +ACCURACY .* RUN +REGISTERED/);
    expect(table).toContain(newest.run_id);
    expect(JSON.stringify(before.artifacts)).toContain("golden");

    // Corrupt: every tracking command says what to do, and rebuild does it.
    const db = join(dir, ".mlbook", "tracking.duckdb");
    writeFileSync(db, "not a database");
    const broken = await mlbook(dir, ["runs"]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(
      /tracking database .*tracking\.duckdb cannot be opened .*mlbook tracking rebuild/
    );
    const rebuilt = await ok(["tracking", "rebuild"]);
    expect(rebuilt.stdout).toMatch(
      /rebuilt .*tracking\.duckdb from \d+ runs, 2 alias changes, 1 sweep winners, 1 run deletions and 0 monitored batches/
    );
    expect(await snapshot(dir)).toEqual(before);
    // The replaced file is kept, never deleted.
    const kept = readdirSync(join(dir, ".mlbook")).filter((n) => n.startsWith("tracking.duckdb.replaced-"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, ".mlbook", kept[0]), "utf8")).toBe("not a database");

    // Lost: a warning names the way back, and rebuild brings everything back again.
    rmSync(db);
    const lost = await mlbook(dir, ["runs", "--json"]);
    expect(lost.stderr).toMatch(/tracking database .* is missing but .*history holds its history/);
    await ok(["tracking", "rebuild"]);
    expect(await snapshot(dir)).toEqual(before);

    // Numbering goes on where it was: a new model is the next version.
    const next = await ok(["run", "model.params.C=0.77"]);
    const versions = (before.models as {version: number}[]).map((m) => m.version);
    expect(next.stdout + next.stderr).toContain(`registered tiny-model v${Math.max(...versions) + 1}`);
  }, 240_000);

  it("says so when there is no history to rebuild from", async () => {
    const dir = tinyProject();
    const r = await mlbook(dir, ["tracking", "rebuild"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no history in .*history: nothing to rebuild/);
    expect(existsSync(join(dir, ".mlbook", "tracking.duckdb"))).toBe(false);
  }, 30_000);
});
