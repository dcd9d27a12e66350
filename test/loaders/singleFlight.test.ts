import {appendFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {describe, expect, it} from "vitest";
import {mlbook, repoRoot, run, tinyCsv, tinyProject} from "../helpers/project.ts";

/** Starts `pages` loader processes at once on the project's config; returns what each printed. */
async function loaders(dir: string, pages: number, env: Record<string, string> = {}) {
  const script = join(dir, "loader.mts");
  writeFileSync(
    script,
    [
      `import {loadConfig} from ${JSON.stringify(join(repoRoot, "src/pipeline/builtins.ts"))};`,
      `import {currentRun} from ${JSON.stringify(join(repoRoot, "src/loaders/currentRun.ts"))};`,
      `const run = await currentRun(await loadConfig(${JSON.stringify(join(dir, "mlbook.yaml"))}));`,
      "process.stdout.write(run.result.runId);"
    ].join("\n")
  );
  const tsx = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
  const out = await Promise.all(
    Array.from({length: pages}, () => run(dir, process.execPath, ["--import", tsx, script], env))
  );
  for (const l of out) expect(l.status, l.stderr).toBe(0);
  return out;
}

/**
 * The loaders of every open page are separate processes. When the config changed, the first to
 * find no run of the new state runs the pipeline and the others wait for it and report its run:
 * one run per change, not one per page.
 */
describe("page loaders of one config state", () => {
  it("make one run between them, and all report it", async () => {
    const dir = tinyProject();
    writeFileSync(join(dir, "data.csv"), tinyCsv(5000));
    const out = await loaders(dir, 5);
    const ids = new Set(out.map((l) => l.stdout));
    expect(ids.size).toBe(1);
    expect(out.filter((l) => /train ran/.test(l.stderr))).toHaveLength(1);
    const runs = JSON.parse((await mlbook(dir, ["runs", "--json"])).stdout) as {id: string}[];
    expect(runs.map((r) => r.id)).toEqual([...ids]);
  }, 120_000);

  it("record a live preview's run as such, and it registers no model; mlbook run does", async () => {
    const dir = tinyProject();
    appendFileSync(
      join(dir, "mlbook.yaml"),
      "register:\n  name: tiny-model\n  criteria:\n    - {metric: accuracy, threshold: 0.5}\n"
    );
    const [first] = await loaders(dir, 2, {MLBOOK_RUN_SOURCE: "preview"});
    const runs = JSON.parse((await mlbook(dir, ["runs", "--json"])).stdout) as {
      id: string;
      source: string | null;
      note: string | null;
    }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({id: first.stdout, source: "preview"});
    expect(runs[0].note).toMatch(/not registered as tiny-model: a live-preview run registers no model/);
    expect(JSON.parse((await mlbook(dir, ["models", "--json"])).stdout)).toEqual([]);
    // The same state run from the CLI (all fresh) registers it.
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const models = JSON.parse((await mlbook(dir, ["models", "--json"])).stdout) as {version: number}[];
    expect(models.map((m) => m.version)).toEqual([1]);
  }, 120_000);
});
