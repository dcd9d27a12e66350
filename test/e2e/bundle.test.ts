import {appendFileSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {copyOfRepo, mlbook, run} from "../helpers/project.ts";

/** The chunk files an entry of lib/ imports (`./chunk-XXXX.js`). */
const chunksOf = (dir: string, entry: string) =>
  [...readFileSync(join(dir, "lib", entry), "utf8").matchAll(/from\s*"\.\/([\w-]+\.js)"/g)].map((m) => m[1]);

describe("mlbook's bundle (lib/), which the page loaders run", () => {
  it("is replaced entry by entry, keeping the chunks an older entry imports; a loader refuses a bundle older than the sources", async () => {
    const dir = copyOfRepo();
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0); // bundles lib/ and runs penguins
    const loader = [join("docs", "data", "[pipeline]", "checks.json.js"), "--pipeline=penguins"];
    const fresh = await run(dir, process.execPath, loader);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toHaveProperty("report.passed", true);

    // A source edit: the loaders' bundle is now older than the code the step keys describe.
    const before = chunksOf(dir, "loaders.js");
    appendFileSync(join(dir, "src", "loaders", "checks.ts"), "\nexport const edited = 1;\n");
    const stale = await run(dir, process.execPath, loader);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toBe("");
    expect(stale.stderr).toMatch(
      /error: mlbook's sources \(.*src\) changed after its bundle \(.*lib\) was built/
    );

    // Any mlbook command rebuilds it; the old entry's chunks are still there for a process that
    // started from it, and the loader runs again.
    expect((await mlbook(dir, ["--version"], dir)).status).toBe(0);
    const after = chunksOf(dir, "loaders.js");
    expect(after).not.toEqual(before);
    const files = readdirSync(join(dir, "lib"));
    for (const chunk of [...before, ...after]) expect(files).toContain(chunk);
    const again = await run(dir, process.execPath, loader);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(fresh.stdout));
  });
});
