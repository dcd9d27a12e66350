import {appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {pipelineStatus} from "../../../src/pipeline/engine/status.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import type {RunResult} from "../../../src/pipeline/engine/runTypes.ts";
import {MlbookError} from "../../../src/pipeline/errors.ts";
import type {ModelBundle} from "../../../src/pipeline/ml/bundle.ts";
import {builtinCatalog} from "../../../src/pipeline/builtins.ts";
import {composeSweep} from "../../../src/pipeline/sweep/compose.ts";
import {configError} from "../../helpers/configError.ts";
import {mlbook, tinyConfig, tinyProject} from "../../helpers/project.ts";

/** A workspace step: x1 over x2, scaled; throws for a scale above 5 (a bug in user code). */
const ratio = `import {defineStep, z} from "mlbook";

export default defineStep({
  params: z.object({scale: z.number().default(1)}),
  inputs: {data: {kind: "table"}},
  outputs: {data: {kind: "table"}},
  async run({data}, {scale}) {
    if (scale > 5) throw new Error("scale too large");
    return {data: \`SELECT *, x1 / (abs(x2) + 1) * \${scale} AS ratio FROM \${data}\`};
  }
});
`;

/** A project with the tiny data, one workspace step after clean, and `extra` config lines. */
function project(extra = "", step = ratio): string {
  const dir = tinyProject();
  mkdirSync(join(dir, "steps"));
  writeFileSync(join(dir, "steps", "ratio.ts"), step);
  writeFileSync(
    join(dir, "mlbook.yaml"),
    `${tinyConfig}steps:\n  ratio: {module: ./steps/ratio.ts, after: clean, params: {scale: 2}}\n${extra}`
  );
  return dir;
}

const statuses = (r: RunResult) => r.steps.map((s) => [s.name, s.status === "fresh" ? "fresh" : s.reason]);

/** Entries of a step in the store, and whatever is left in the store's temp folder. */
function stored(dir: string, step: string): {entries: string[]; scratch: string[]} {
  const folder = (path: string) => (existsSync(path) ? readdirSync(path) : []);
  return {entries: folder(join(dir, ".mlbook", "store", step)), scratch: folder(join(dir, ".mlbook", "tmp"))};
}

describe("a workspace step (steps: in the config)", () => {
  it("runs in its place, feeds the steps after it, and is keyed by its own code and params", async () => {
    const dir = project();
    const config = join(dir, "mlbook.yaml");
    const first = await runPipeline(await loadConfig(config));
    expect(first.steps.map((s) => s.name)).toEqual([
      "ingest",
      "clean",
      "ratio",
      "split",
      "train",
      "evaluate"
    ]);
    // Its column reaches the model: the bundle's signature has it.
    const train = first.steps.find((s) => s.name === "train")!;
    const bundle = JSON.parse(
      readFileSync(join(dir, ".mlbook", "store", "train", train.key, "model.json"), "utf8")
    ) as ModelBundle;
    expect(bundle.signature.map((s) => s.name)).toContain("ratio");

    // Editing its code re-runs it and what is downstream of it, nothing upstream.
    appendFileSync(join(dir, "steps", "ratio.ts"), "\n// a comment is a change of code\n");
    const edited = await runPipeline(await loadConfig(config));
    expect(statuses(edited)).toEqual([
      ["ingest", "fresh"],
      ["clean", "fresh"],
      ["ratio", "code of ratio changed"],
      ["split", "upstream ratio changed"],
      // train reads its data through split, and how to replay it on new rows from ratio.
      ["train", "upstream split, ratio changed"],
      ["evaluate", "upstream split, train changed"]
    ]);
    // Its params are config keys like any other: an override makes it stale, naming the key.
    const status = await pipelineStatus(await loadConfig(config, ["steps.ratio.params.scale=3"]));
    expect(status.find((s) => s.name === "ratio")?.reason).toBe("param steps.ratio.params.scale changed");
    // And they sweep: the jobs share the steps before it.
    const sweep = await composeSweep(config, ["steps.ratio.params.scale=1,3"], {
      load: loadConfig,
      catalog: builtinCatalog
    });
    expect(sweep.shared).toEqual(["ingest", "clean"]);
  });

  it("keys a local module it imports: editing the helper re-runs the step", async () => {
    const dir = project(
      "",
      ratio
        .replace(
          'import {defineStep, z} from "mlbook";',
          'import {defineStep, z} from "mlbook";\nimport {k} from "./k.ts";'
        )
        .replace("* ${scale}", "* ${scale * k}")
    );
    writeFileSync(join(dir, "steps", "k.ts"), "export const k = 1;\n");
    const config = join(dir, "mlbook.yaml");
    await runPipeline(await loadConfig(config));
    writeFileSync(join(dir, "steps", "k.ts"), "export const k = 2;\n");
    const again = await runPipeline(await loadConfig(config));
    expect(statuses(again)[2]).toEqual(["ratio", "code of ratio changed"]);
  });

  it("reports an exception in its code with the user's file and line, exit 1, nothing stored", async () => {
    const dir = project();
    const config = join(dir, "mlbook.yaml");
    const before = stored(dir, "ratio");
    const error = await runPipeline(await loadConfig(config, ["steps.ratio.params.scale=9"])).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(MlbookError);
    expect((error as MlbookError).exitCode).toBe(1);
    expect((error as Error).message).toBe(
      "step ratio (steps/ratio.ts) failed: scale too large (at steps/ratio.ts:8:26)"
    );
    expect(stored(dir, "ratio")).toEqual({entries: before.entries, scratch: []});
  });

  it("refuses an output it does not declare, a missing one and one of the wrong kind, storing nothing", async () => {
    const cases: [string, string][] = [
      [
        "return {data: `SELECT * FROM ${data}`, extra: 1} as never;",
        'it returned output "extra", which it does not declare (outputs: data)'
      ],
      ["return {} as never;", "it returned no data (it declares table output data)"],
      [
        "return {data: 42} as never;",
        "it returned a number as data (a table output is SQL over the inputs, or a non-empty array of row objects)"
      ]
    ];
    for (const [body, message] of cases) {
      const dir = project("", ratio.replace(/return \{data: `SELECT \*, x1[^\n]*/, body));
      const error = await runPipeline(await loadConfig(join(dir, "mlbook.yaml"))).catch((e: unknown) => e);
      expect((error as Error).message).toContain(message);
      expect((error as MlbookError).exitCode).toBe(1);
      expect(stored(dir, "ratio")).toEqual({entries: [], scratch: []});
    }
  });

  it("takes rows as a table output as well as SQL, and a step with no data output leaves the data chain alone", async () => {
    const summary = ratio
      .replace('outputs: {data: {kind: "table"}}', 'outputs: {summary: {kind: "table"}}')
      .replace(
        /return \{data: `SELECT \*, x1[^\n]*/,
        "return {summary: [{a: 1, b: 'x'}, {a: scale, b: null}]};"
      );
    const dir = project("", summary);
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}steps:\n  ratio: {module: ./steps/ratio.ts, inputs: {data: clean.data}, params: {scale: 3}}\n`
    );
    const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    // Placed after the last step it reads; split still reads clean's data.
    expect(result.steps.map((s) => s.name)).toEqual([
      "ingest",
      "clean",
      "ratio",
      "split",
      "train",
      "evaluate"
    ]);
    expect(result.steps.find((s) => s.name === "ratio")?.rows).toEqual({summary: 2});
    const plain = await runPipeline(await loadConfig(join(tinyProject(), "mlbook.yaml")));
    const split = (r: RunResult) => r.steps.find((s) => s.name === "split")!;
    expect(split(result).key).toBe(split(plain).key);
  });

  it("is reported in plan order even when it finishes after the steps beside it", async () => {
    // A slow side step off clean: split, train and evaluate finish while it sleeps.
    const slow = ratio
      .replace('outputs: {data: {kind: "table"}}', 'outputs: {summary: {kind: "table"}}')
      .replace(
        /return \{data: `SELECT \*, x1[^\n]*/,
        "await new Promise((r) => setTimeout(r, 1500)); return {summary: [{a: scale}]};"
      );
    const dir = project("", slow);
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}steps:\n  ratio: {module: ./steps/ratio.ts, inputs: {data: clean.data}, params: {scale: 3}}\n`
    );
    const finished: string[] = [];
    const printed: string[] = [];
    const logger = {step: (r: {name: string}) => printed.push(r.name), progress: () => {}, info: () => {}};
    const hooks = [{afterStep: (r: {name: string}) => void finished.push(r.name)}];
    const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")), {logger, hooks});
    expect(finished.indexOf("split")).toBeLessThan(finished.indexOf("ratio"));
    expect(printed).toEqual(["ingest", "clean", "ratio", "split", "train", "evaluate"]);
    expect(printed).toEqual(result.steps.map((s) => s.name));
  });

  it("reads any upstream output by name (a JSON model, a test table) and writes JSON and files", async () => {
    const report = `import {defineStep} from "mlbook";

export default defineStep({
  inputs: {model: {kind: "json"}, test: {kind: "table"}},
  outputs: {summary: {kind: "json"}, card: {kind: "file"}},
  async run({model, test}, _params, ctx) {
    const [{n}] = await ctx.db.rows<{n: number}>(\`SELECT count(*)::INTEGER AS n FROM \${test}\`);
    const bundle = model as {featureNames: string[]; target: string};
    return {
      summary: {features: bundle.featureNames.length, testRows: n},
      card: {data: \`# \${bundle.target}\\n\${n} test rows\\n\`, extension: "md"}
    };
  }
});
`;
    const dir = project("", report);
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}steps:\n  ratio: {module: ./steps/ratio.ts, inputs: {model: train.model, test: split.test}}\n`
    );
    const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    const step = result.steps.find((s) => s.name === "ratio")!;
    // After the last step it reads (train), before evaluate.
    expect(result.steps.map((s) => s.name)).toEqual([
      "ingest",
      "clean",
      "split",
      "train",
      "ratio",
      "evaluate"
    ]);
    const entry = join(dir, ".mlbook", "store", "ratio", step.key);
    expect(JSON.parse(readFileSync(join(entry, "summary.json"), "utf8"))).toEqual({
      features: 5,
      testRows: 36
    });
    expect(readFileSync(join(entry, "card.md"), "utf8")).toBe("# label\n36 test rows\n");
    // Binding to an output that is not there, or of another kind, is a config error.
    const wrong = await configError(() =>
      loadConfig(join(dir, "mlbook.yaml"), ["steps.ratio.inputs.model=split.test"])
    );
    expect(wrong).toBe(
      'override steps.ratio.inputs.model=split.test: invalid steps.ratio.inputs.model: "split.test" is a table, but the input is a json'
    );
  });

  it("checks its config when the config loads: params by its schema, its module, its place", async () => {
    const dir = project();
    const config = join(dir, "mlbook.yaml");
    expect(await configError(() => loadConfig(config, ["steps.ratio.params.scale=big"]))).toBe(
      'override steps.ratio.params.scale=big: invalid steps.ratio.params.scale: "big" (expected number)'
    );
    expect(await configError(() => loadConfig(config, ["steps.ratio.params.scal=2"]))).toBe(
      "override steps.ratio.params.scal=2: unknown key steps.ratio.params.scal (did you mean scale? expected one of scale)"
    );
    expect(await configError(() => loadConfig(config, ["steps.ratio.module=./steps/gone.ts"]))).toBe(
      "override steps.ratio.module=./steps/gone.ts: invalid steps.ratio.module: steps/gone.ts: no such file"
    );
    expect(await configError(() => loadConfig(config, ["steps.ratio.after=featurize"]))).toBe(
      'override steps.ratio.after=featurize: invalid steps.ratio.after: "featurize" is not a step of this pipeline (steps: ingest, clean, split, train, evaluate)'
    );
    writeFileSync(join(dir, "steps", "syntax.ts"), "export default 1 +\n");
    expect(await configError(() => loadConfig(config, ["steps.ratio.module=./steps/syntax.ts"]))).toMatch(
      /invalid steps\.ratio\.module: steps\/syntax\.ts:2:1: Unexpected end of file/
    );
    writeFileSync(join(dir, "steps", "nothing.ts"), "export const x = 1;\n");
    expect(await configError(() => loadConfig(config, ["steps.ratio.module=./steps/nothing.ts"]))).toMatch(
      /steps\/nothing\.ts has no default export \(expected export default defineStep\(\{\.\.\.\}\)\)/
    );
    writeFileSync(
      join(config),
      `${tinyConfig}steps:\n  ratio: {module: ./steps/ratio.ts, after: clean, parms: {}}\n`
    );
    expect(await configError(() => loadConfig(config))).toMatch(
      /mlbook\.yaml:\d+:\d+: unknown key steps\.ratio\.parms \(did you mean params\?/
    );
  });

  it("cannot replace a built-in step by accident, only with override: true", async () => {
    const dir = project();
    const config = join(dir, "mlbook.yaml");
    expect(await configError(() => loadConfig(config, ["++steps.split.module=./steps/ratio.ts"]))).toMatch(
      /invalid steps\.split: .*split is a built-in step: name yours otherwise, or set override: true to replace it/
    );
  });
});

describe("a workspace step through the CLI", () => {
  it("fails with exit 1 and the user's file and line, from the bundled CLI", async () => {
    const dir = project();
    const out = await mlbook(dir, ["run", "steps.ratio.params.scale=9"]);
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(
      "error: step ratio (steps/ratio.ts) failed: scale too large (at steps/ratio.ts:8:26)\n"
    );
    const ok = await mlbook(dir, ["run"]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/ {2}ratio +ran/);
  });
});
