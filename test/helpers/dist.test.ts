import {mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {offlineProblems} from "./dist.ts";

describe("offlineProblems", () => {
  it("accepts relative imports and flags bare imports, CDN URLs and local paths", () => {
    const dist = mkdtempSync(join(tmpdir(), "mlbook-dist-"));
    mkdirSync(join(dist, "_node"));
    writeFileSync(
      join(dist, "ok.html"),
      `<script type="module">import {x} from "./_node/x.js"; import("../y.js");</script>`
    );
    writeFileSync(join(dist, "_node", "ok.js"), `export * from "./z.js";`);
    expect(offlineProblems(dist)).toEqual([]);
    writeFileSync(
      join(dist, "bad.html"),
      `<script type="module">import embed from "vega-embed";</script><link href="https://fonts.googleapis.com/css">`
    );
    writeFileSync(
      join(dist, "_node", "bad.js"),
      `const m = await import("npm:htl"); const p = "/home/me/project/docs";`
    );
    expect(offlineProblems(dist, ["/home/me/project"]).sort()).toEqual([
      '_node/bad.js: bare import "npm:htl"',
      "_node/bad.js: holds the local path /home/me/project",
      'bad.html: bare import "vega-embed"',
      "bad.html: references fonts.googleapis.com"
    ]);
  });
});
