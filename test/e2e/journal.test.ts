import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
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
    const bad: Record<string, string> = {
      "20200101T000000-aaaaaa.json": "{}",
      "20200101T000000-bbbbbb.json": JSON.stringify({id: "x", params: null}),
      "20200101T000000-cccccc.json": "not json at all"
    };
    // Of a record's shape, with values the database cannot take: a time that is none, a step twice.
    const [good] = readdirSync(join(dir, ".mlbook", "history")).filter((n) => n.includes("-run-"));
    const {record} = JSON.parse(readFileSync(join(dir, ".mlbook", "history", good), "utf8")) as {
      record: {steps: unknown[]};
    };
    const values = {
      "20200101T000000-dddddd.json": JSON.stringify({
        ...record,
        id: "20200101T000000-dddddd",
        startedAt: "not a time"
      }),
      "20200101T000000-eeeeee.json": JSON.stringify({
        ...record,
        id: "20200101T000000-eeeeee",
        steps: [...record.steps, record.steps[0]]
      })
    };
    Object.assign(bad, values);
    for (const [name, text] of Object.entries(bad)) writeFileSync(join(runs, name), text);

    const listed = await mlbook(dir, ["runs"]);
    expect(listed.status, listed.stderr).toBe(0);
    for (const name of Object.keys(bad)) {
      expect(listed.stderr).toContain(`warning: ${join(runs, name)} is not a run record`);
      expect(existsSync(join(runs, "rejected", name))).toBe(true);
    }
    expect(listed.stderr).toMatch(/aaaaaa\.json is not a run record \(id: /);
    expect(listed.stderr).toMatch(/cccccc\.json is not a run record \(not JSON/);
    expect(listed.stderr).toMatch(/dddddd\.json is not a run record \(startedAt: Invalid ISO datetime/);
    expect(listed.stderr).toMatch(/eeeeee\.json is not a run record \(steps: a step is listed twice/);
    expect(readdirSync(runs).filter((n) => n.endsWith(".json"))).toEqual([]);

    // A new run is recorded beside the old one.
    expect((await mlbook(dir, ["run", "model.params.C=0.5"])).status).toBe(0);
    const after = await mlbook(dir, ["runs", "--json"]);
    expect(after.status, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toHaveLength(2);
  }, 120_000);
});
