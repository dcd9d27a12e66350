import {existsSync, mkdtempSync, readFileSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {offlineProblems} from "../helpers/dist.ts";
import {mlbook, repoRoot, run, type CliResult} from "../helpers/project.ts";

interface JsonRun {
  steps: {name: string; status: string; reason: string | null}[];
  metrics: Record<string, number>;
}

/**
 * A new user's first hour, for real: `mlbook init`, `npm install` (mlbook as a file: dependency
 * of this checkout, the rest from the registry), `npm test`, a step and a model of their own
 * scaffolded, edited, run, swept, and the report built.
 */
describe("a workspace made by mlbook init", () => {
  let ws: string;
  let install: CliResult;
  const cli = async (args: string[]) => {
    const out = await run(ws, process.execPath, [join(ws, "node_modules", ".bin", "mlbook"), ...args]);
    if (out.status !== 0) throw new Error(`mlbook ${args.join(" ")} exited ${out.status}: ${out.stderr}`);
    return out;
  };
  const steps = async (args: string[] = []) =>
    (JSON.parse((await cli(["run", "--json", ...args])).stdout) as JsonRun).steps.map((s) => [
      s.name,
      s.status === "fresh" ? "fresh" : s.reason
    ]);

  beforeAll(async () => {
    ws = join(mkdtempSync(join(tmpdir(), "mlbook-init-")), "birds");
    const init = await mlbook(repoRoot, ["init", ws]);
    expect(init.status).toBe(0);
    install = await run(ws, "npm", ["install", "--no-audit", "--no-fund"]);
  }, 600_000);

  it("installs against this checkout, and its npm test passes as made", async () => {
    expect(install.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ws, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.mlbook).toBe(`file:${repoRoot}`);
    // mlbook's pages and components, not this repository's own pages of its example pipelines.
    expect(existsSync(join(ws, "docs", "components", "duckdb.js"))).toBe(true);
    expect(existsSync(join(ws, "docs", "cars"))).toBe(false);
    expect(existsSync(join(ws, "docs", "data", "cars"))).toBe(false);
    const test = await run(ws, "npm", ["test"]);
    expect(test.stdout).toMatch(/Test Files {2}1 passed/);
    expect(test.status).toBe(0);
  }, 300_000);

  it("runs a step of the user's own: scaffolded, edited, rerun with its downstream only, swept", async () => {
    expect((await steps()).map(([name]) => name)).toEqual([
      "ingest",
      "clean",
      "beak_ratio",
      "split",
      "train",
      "evaluate"
    ]);
    const made = await cli(["new", "step", "ratio"]);
    expect(made.stdout).toContain("mlbook.yaml: steps.ratio runs after beak_ratio");
    const file = join(ws, "steps", "ratio.ts");
    // The user's edit: a column of their own.
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "return {data: `SELECT * FROM ${data}`};",
        'return {data: `SELECT *, "Flipper Length (mm)" / "Body Mass (g)" * ${scale} AS ratio FROM ${data}`};'
      )
    );
    expect(await steps()).toEqual([
      ["ingest", "fresh"],
      ["clean", "fresh"],
      ["beak_ratio", "fresh"],
      ["ratio", "missing"],
      ["split", "inputs rebound"],
      // train reads the new step's replay (what a model of its rows scores new rows with).
      ["train", "inputs rebound"],
      ["evaluate", "upstream split, train changed"]
    ]);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "* ${scale} AS ratio FROM ${data}`};",
        "* ${scale} * 1000 AS ratio FROM ${data}`};"
      )
    );
    // … and their test of it, as they would.
    const test = join(ws, "steps", "ratio.test.ts");
    writeFileSync(
      test,
      readFileSync(test, "utf8")
        .replace(
          /const rows = \[[^\]]*\];/,
          'const rows = [{"Flipper Length (mm)": 200, "Body Mass (g)": 4000}];'
        )
        .replace("expect(data).toEqual(rows);", "expect(data).toEqual([{...rows[0], ratio: 50}]);")
    );
    expect(await steps()).toEqual([
      ["ingest", "fresh"],
      ["clean", "fresh"],
      ["beak_ratio", "fresh"],
      ["ratio", "code of ratio changed"],
      ["split", "upstream ratio changed"],
      ["train", "upstream split, ratio changed"],
      ["evaluate", "upstream split, train changed"]
    ]);
    const sweep = await cli(["run", "-m", "steps.ratio.params.scale=2,3", "--jobs", "2"]);
    expect(sweep.stdout).toMatch(/sweep \S+: 2 jobs in .* \(2 ran, 0 fresh, 0 failed\)/);
  }, 300_000);

  it("trains a model of the user's own, and the scaffolds' tests pass", async () => {
    const made = await cli(["new", "model", "baseline"]);
    expect(made.stdout).toContain("mlbook.yaml: model.type logistic_regression → ./models/baseline.ts");
    const out = JSON.parse((await cli(["run", "--json"])).stdout) as JsonRun;
    expect(out.steps.find((s) => s.name === "train")?.reason).toMatch(/^param .*model\.type changed$/);
    // The baseline predicts the most frequent class: its accuracy is that class's share.
    expect(out.metrics.accuracy).toBeCloseTo(0.4348, 4);
    const test = await run(ws, "npm", ["test"]);
    expect(test.stdout).toMatch(/Test Files {2}3 passed/);
    expect(test.status).toBe(0);
  }, 300_000);

  it("builds the report offline, its Pipeline page naming the user's step and its module", async () => {
    const build = await run(ws, "npm", ["run", "build"]);
    expect(build.status).toBe(0);
    expect(existsSync(join(ws, "dist", "birds", "pipeline.html"))).toBe(true);
    const data = JSON.parse(
      readFileSync(join(ws, "docs", ".observablehq", "cache", "data", "birds", "run.json"), "utf8")
    ) as {
      code: Record<string, {module: string | null}>;
    };
    expect(data.code.ratio.module).toBe("steps/ratio.ts");
    expect(data.code.split.module).toBe(null);
    expect(offlineProblems(join(ws, "dist"), [ws, repoRoot])).toEqual([]);
  }, 600_000);
});
