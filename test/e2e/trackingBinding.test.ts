import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync
} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {bindTracking} from "../../src/pipeline/tracking/bindTracking.ts";
import {mlbook, tinyConfig, tinyProject} from "../helpers/project.ts";

// Two configs of one folder share its store: with different tracking databases, `mlbook gc` on
// one would delete entries the other's runs still use. The store belongs to one database.
describe("one tracking database per store", () => {
  let dir: string;
  const entries = () =>
    readdirSync(join(dir, ".mlbook", "store")).flatMap((step) =>
      readdirSync(join(dir, ".mlbook", "store", step)).map((key) => `${step}/${key}`)
    );

  beforeAll(async () => {
    dir = tinyProject();
    writeFileSync(join(dir, "other.yaml"), `${tinyConfig}tracking:\n  path: other.duckdb\n`);
    const first = await mlbook(dir, ["run"]);
    expect(first.status).toBe(0);
  }, 60_000);

  it("refuses a config whose tracking.path differs, before running or writing anything", async () => {
    const before = entries();
    const run = await mlbook(dir, ["run", "--config", "other.yaml", "split.seed=3"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: other\.yaml: invalid tracking\.path: .*other\.duckdb/);
    expect(run.stderr).toContain("belongs to .mlbook/tracking.duckdb");
    expect(entries()).toEqual(before);
    expect(existsSync(join(dir, "other.duckdb"))).toBe(false);
    expect(readdirSync(join(dir, ".mlbook", "runs"))).toEqual([]);
  }, 60_000);

  it("refuses gc and every tracking command through such a config", async () => {
    const before = entries();
    for (const args of [["gc"], ["runs"], ["artifacts"]]) {
      const result = await mlbook(dir, [...args, "--config", "other.yaml"]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("invalid tracking.path");
    }
    expect(entries()).toEqual(before);
    const listed = await mlbook(dir, ["runs", "--json"]);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  }, 60_000);

  it("follows the database when it is moved to the new tracking.path", async () => {
    renameSync(join(dir, ".mlbook", "tracking.duckdb"), join(dir, "other.duckdb"));
    const run = await mlbook(dir, ["run", "--config", "other.yaml"]);
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, ".mlbook", "tracking-database"), "utf8")).toBe("../other.duckdb\n");
    const listed = await mlbook(dir, ["runs", "--json", "--config", "other.yaml"]);
    expect(JSON.parse(listed.stdout)).toHaveLength(2);
    // Now the default config is the odd one out.
    const old = await mlbook(dir, ["runs"]);
    expect(old.status).toBe(2);
    expect(old.stderr).toContain("belongs to other.duckdb");
  }, 60_000);
});

describe("bindTracking", () => {
  it("takes one database reached through a symlinked folder as the same database", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-bind-"));
    mkdirSync(join(dir, "db"));
    writeFileSync(join(dir, "db", "runs.duckdb"), "");
    symlinkSync(join(dir, "db"), join(dir, "link"));
    const root = join(dir, ".mlbook");
    bindTracking({root, path: join(dir, "db", "runs.duckdb")});
    expect(() => bindTracking({root, path: join(dir, "link", "runs.duckdb")})).not.toThrow();
    expect(() => bindTracking({root, path: join(dir, "other.duckdb")}, join(dir, "b.yaml"))).toThrow(
      /b\.yaml: invalid tracking\.path: .*other\.duckdb.*belongs to .*db\/runs\.duckdb/
    );
  });
});
