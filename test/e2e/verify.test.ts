import {execFileSync} from "node:child_process";
import {readFileSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/**
 * One digit of a coefficient changed in place: the size as it was, and the mtime put back to the
 * nanosecond (`touch -r` from a copy of the old times), as a careful tamperer would.
 */
function tamper(file: string): void {
  const times = `${file}.times`;
  const before = statSync(file, {bigint: true});
  execFileSync("touch", ["-r", file, times]);
  const text = readFileSync(file, "utf8");
  const at = text.indexOf('"coef"') + text.slice(text.indexOf('"coef"')).search(/\d/);
  writeFileSync(file, `${text.slice(0, at)}${text[at] === "1" ? "2" : "1"}${text.slice(at + 1)}`);
  execFileSync("touch", ["-r", times, file]);
  rmSync(times);
  const after = statSync(file, {bigint: true});
  expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
}

interface JsonRun {
  steps: {name: string; status: string; key: string}[];
}

/**
 * A stored file edited in place — same size, its old mtime put back — is caught: runs (their
 * stamp holds the change time, which no one can put back), predict (the bundle's checksum) and
 * `mlbook verify` (every file hashed again).
 */
describe("verified entries and models", () => {
  let dir: string;
  let model: string;
  let original: string;
  let key: string;

  beforeAll(async () => {
    dir = tinyProject();
    const first = await mlbook(dir, ["run", "--json"], undefined);
    expect(first.status, first.stderr).toBe(0);
    key = (JSON.parse(first.stdout) as JsonRun).steps.find((s) => s.name === "train")!.key;
    model = join(dir, ".mlbook", "store", "train", key, "model.json");
    original = readFileSync(model, "utf8");
    tamper(model);
    expect(statSync(model).size).toBe(original.length);
  }, 120_000);

  it("predict refuses the changed bundle, naming it", async () => {
    writeFileSync(join(dir, "rows.csv"), "x1,x2,colour\n1,0,red\n");
    const scored = await mlbook(dir, ["predict", "-m", model, "rows.csv"]);
    expect(scored.status).toBe(1);
    expect(scored.stderr).toContain(`${model}: the model bundle fails its checksum`);
  });

  it("mlbook verify names the corrupt entry and exits 1; --fix discards it; the next run rebuilds it", async () => {
    const found = await mlbook(dir, ["verify"]);
    expect(found.status).toBe(1);
    expect(found.stdout).toContain(`corrupt train/${key.slice(0, 12)}: model.json fails its checksum`);
    expect(found.stdout).toMatch(/checked \d+ store entries: 1 corrupt/);
    const fixed = await mlbook(dir, ["verify", "--fix"]);
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toContain("(discarded)");
    expect(readdirSync(join(dir, ".mlbook", "store", "train"))).not.toContain(key);
    const again = await mlbook(dir, ["run", "--json"]);
    expect(again.status, again.stderr).toBe(0);
    const train = (JSON.parse(again.stdout) as JsonRun).steps.find((s) => s.name === "train")!;
    expect([train.key, train.status]).toEqual([key, "ran"]);
    expect(readFileSync(model, "utf8")).toBe(original);
    expect((await mlbook(dir, ["verify"])).stdout).toMatch(/: 0 corrupt/);
  }, 120_000);

  it("a run finds a tampered entry by itself (its stamp has the change time) and rebuilds it", async () => {
    tamper(model);
    const run = await mlbook(dir, ["run", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const train = (JSON.parse(run.stdout) as JsonRun).steps.find((s) => s.name === "train")!;
    expect(train.status).toBe("ran");
    expect(readFileSync(model, "utf8")).toBe(original);
  }, 120_000);
});
