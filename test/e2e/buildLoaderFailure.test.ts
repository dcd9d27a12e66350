import {existsSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {copyOfRepo, mlbook} from "../helpers/project.ts";

describe("mlbook build with a failing loader", () => {
  it("fails naming each loader and its error, whether mlbook's maker or its own process ran it, and builds no site", async () => {
    const dir = copyOfRepo();
    const data = join(dir, "docs", "data");
    // Written as mlbook's loaders are, but naming a function mlbook/loaders lacks: made by the maker.
    writeFileSync(
      join(data, "nothing.json.js"),
      'import {nothing, runLoader} from "mlbook/loaders";\n\nawait runLoader(nothing);\n'
    );
    // A loader of the user's own: run in a process of its own.
    writeFileSync(join(data, "boom.json.js"), 'throw new Error("boom: the loader failed");\n');
    const build = await mlbook(dir, ["build"], dir);
    expect(build.status).not.toBe(0);
    expect(build.stderr).toMatch(
      /loader data\/nothing\.json failed: mlbook\/loaders has no page-data function nothing/
    );
    expect(build.stderr).toMatch(/loader data\/boom\.json failed: .*boom: the loader failed/);
    // The other loaders were made, and the build stopped before Framework wrote a site.
    expect(build.stdout).toMatch(/loader data\/penguins\/metrics\.json: made in \d+ ms/);
    expect(existsSync(join(dir, "dist", "index.html"))).toBe(false);
  }, 180_000);
});
