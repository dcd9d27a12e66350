import {existsSync, mkdirSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/** A journal file that is no run record is moved aside with a warning; tracking goes on. */
describe("a poisoned journal", () => {
  it("moves bad files aside naming each, and runs and tracking commands keep working", async () => {
    const dir = tinyProject();
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const runs = join(dir, ".mlbook", "runs");
    mkdirSync(runs, {recursive: true});
    const bad = {
      "20200101T000000-aaaaaa.json": "{}",
      "20200101T000000-bbbbbb.json": JSON.stringify({id: "x", params: null}),
      "20200101T000000-cccccc.json": "not json at all"
    };
    for (const [name, text] of Object.entries(bad)) writeFileSync(join(runs, name), text);

    const listed = await mlbook(dir, ["runs"]);
    expect(listed.status, listed.stderr).toBe(0);
    for (const name of Object.keys(bad)) {
      expect(listed.stderr).toContain(`warning: ${join(runs, name)} is not a run record`);
      expect(existsSync(join(runs, "rejected", name))).toBe(true);
    }
    expect(listed.stderr).toMatch(/aaaaaa\.json is not a run record \(id: /);
    expect(listed.stderr).toMatch(/cccccc\.json is not a run record \(not JSON/);
    expect(readdirSync(runs).filter((n) => n.endsWith(".json"))).toEqual([]);

    // A new run is recorded beside the old one.
    expect((await mlbook(dir, ["run", "model.params.C=0.5"])).status).toBe(0);
    const after = await mlbook(dir, ["runs", "--json"]);
    expect(after.status, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toHaveLength(2);
  }, 120_000);
});
