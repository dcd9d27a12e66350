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
});
