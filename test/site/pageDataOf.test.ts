import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import * as loaders from "../../src/loaders/index.ts";
import {pageDataOf} from "../../src/site/makeLoaderOutputs.ts";
import {repoRoot} from "../helpers/project.ts";

describe("pageDataOf (which loaders mlbook dev makes in one process for all, not Framework per page)", () => {
  it("names the page-data function of every loader of mlbook's pages, one the package exports", () => {
    const docs = join(repoRoot, "docs", "data");
    const files = [
      ...readdirSync(docs).filter((f) => f.endsWith(".js")),
      ...readdirSync(join(docs, "[pipeline]")).map((f) => join("[pipeline]", f))
    ];
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const name = pageDataOf(readFileSync(join(docs, f), "utf8"));
      expect(name, f).toBeDefined();
      expect(typeof (loaders as Record<string, unknown>)[name!], f).toBe("function");
    }
  });

  it("takes either order and comments, and leaves any other loader to Framework", () => {
    const made = (source: string) => pageDataOf(source);
    expect(
      made('// page data\nimport {runLoader, eda} from "mlbook/loaders";\n\nawait runLoader(eda);\n')
    ).toBe("eda");
    expect(
      made("/* a */ import { metrics , runLoader } from 'mlbook/loaders'\nawait runLoader( metrics )")
    ).toBe("metrics");
    // A different function than the one imported, code of its own, another module: not ours.
    expect(made('import {eda, runLoader} from "mlbook/loaders";\nawait runLoader(metrics);')).toBeUndefined();
    expect(
      made('import {eda, runLoader} from "mlbook/loaders";\nconsole.log(1);\nawait runLoader(eda);')
    ).toBeUndefined();
    expect(made('import {eda, runLoader} from "./mine.js";\nawait runLoader(eda);')).toBeUndefined();
    expect(made('process.stdout.write("{}");')).toBeUndefined();
  });
});
