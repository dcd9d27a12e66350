import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";

/** A data source that is no regular file is refused by name before anything reads it (no hang). */
describe("hostile data sources", () => {
  const project = (source: string) => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-hostile-"));
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `name: hostile\ndata: {source: ${JSON.stringify(source)}, target: y}\nmodel: {type: logistic_regression}\n`
    );
    return dir;
  };

  for (const [what, make, kind] of [
    ["a FIFO", (dir: string) => (execFileSync("mkfifo", [join(dir, "data.csv")]), "data.csv"), "a FIFO"],
    ["/dev/zero", () => "/dev/zero", "a device"],
    ["a directory", (dir: string) => (mkdirSync(join(dir, "data.csv")), "data.csv"), "a directory"]
  ] as const) {
    it(`refuses ${what} as data.source, writing nothing to the store`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "mlbook-hostile-src-"));
      const source = make(dir);
      const root = project(source.startsWith("/") ? source : join(dir, source));
      const run = runPipeline(await loadConfig(join(root, "mlbook.yaml")));
      await expect(run).rejects.toThrow(new RegExp(`data\\.source: .* is ${kind}, not a regular file`));
      const store = join(root, ".mlbook", "store");
      expect(existsSync(store) ? readdirSync(store) : []).toEqual([]);
    }, 10_000);
  }

  it("refuses a CSV header of more than 10,000 columns quickly, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-hostile-wide-"));
    const header = Array.from({length: 100_000}, (_, i) => `c${i}`).join(",");
    const row = Array.from({length: 100_000}, (_, i) => String(i % 7)).join(",");
    writeFileSync(join(dir, "wide.csv"), `${header}\n${row}\n${row}\n`);
    const root = project(join(dir, "wide.csv"));
    await expect(runPipeline(await loadConfig(join(root, "mlbook.yaml")))).rejects.toThrow(
      /wide\.csv: the header has more than 10,000 columns \(100,000 counted\)/
    );
  }, 10_000);

  it("refuses JSON nested thousands deep instead of crashing the reader", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-hostile-deep-"));
    const deep = `[{"y": 1, "x": ${"[".repeat(5000)}1${"]".repeat(5000)}}]`;
    writeFileSync(join(dir, "deep.json"), deep);
    const root = project(join(dir, "deep.json"));
    await expect(runPipeline(await loadConfig(join(root, "mlbook.yaml")))).rejects.toThrow(
      /deep\.json: JSON nested more than 256 levels deep \(at byte \d+\)/
    );
  }, 10_000);

  it("still reads brackets inside JSON strings and commas inside quoted CSV fields", async () => {
    const {checkFileShape} = await import("../../../src/pipeline/engine/fileShape.ts");
    const dir = mkdtempSync(join(tmpdir(), "mlbook-hostile-ok-"));
    writeFileSync(join(dir, "ok.json"), JSON.stringify([{text: "[".repeat(1000) + '\\"{', y: 1}]));
    await expect(checkFileShape(join(dir, "ok.json"), "json")).resolves.toBeUndefined();
    writeFileSync(join(dir, "ok.csv"), `"${",".repeat(20_000)}",b\n1,2\n`);
    await expect(checkFileShape(join(dir, "ok.csv"), "csv")).resolves.toBeUndefined();
  });
});
