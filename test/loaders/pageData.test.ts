import {existsSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {beforeAll, describe, expect, it} from "vitest";
import {copyOfRepo, mlbook, run} from "../helpers/project.ts";

/**
 * The public page-data API (`pageLoader` from "mlbook"), as a user's loader uses it: files in
 * docs/data of a copy of the repo, run by Node as Framework runs them, and the site's staleness
 * of them as `mlbook dev` and `mlbook build` compute it.
 */
describe("pageLoader: a page of one's own reads artifacts, runs and models, and is made again exactly when they change", () => {
  let dir: string;
  // The copy's own site module: its fingerprints read the copy's sources.
  let states: (targets: string[]) => Promise<Record<string, string | null>>;
  const loader = (name: string, body: string) => {
    writeFileSync(
      join(dir, "docs", "data", `${name}.json.js`),
      `import {pageLoader} from "mlbook";\nawait pageLoader(async (data) => {\n${body}\n});\n`
    );
    return async () => {
      const made = await run(dir, process.execPath, [`docs/data/${name}.json.js`]);
      // Where Framework keeps the output: what the staleness check looks for.
      if (made.status === 0)
        writeFileSync(join(dir, "docs", ".observablehq", "cache", "data", `${name}.json`), made.stdout);
      return made;
    };
  };

  beforeAll(async () => {
    dir = copyOfRepo();
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0); // a run, penguins-model v1, and lib/
    const {mkdirSync} = await import("node:fs");
    mkdirSync(join(dir, "docs", ".observablehq", "cache", "data"), {recursive: true});
    const load = <T>(path: string) => import(pathToFileURL(join(dir, "src", path)).href) as Promise<T>;
    const {loaderStates} = await load<typeof import("../../src/site/invalidate.ts")>("site/invalidate.ts");
    const {listLoaders} = await load<typeof import("../../src/site/loaders.ts")>("site/loaders.ts");
    const {clearCodeDigests} = await load<typeof import("../../src/pipeline/engine/codeDigest.ts")>(
      "pipeline/engine/codeDigest.ts"
    );
    states = async (targets) => {
      clearCodeDigests();
      const config = join(dir, "mlbook.yaml");
      const loaders = listLoaders(dir, {penguins: config}, config).filter((l) => targets.includes(l.target));
      return Object.fromEntries((await loaderStates(dir, loaders)).map((s) => [s.loader.target, s.stale]));
    };
  }, 120_000);

  it("reads the config's artifacts, tracked versions, runs and models, and records each read", async () => {
    const make = loader(
      "own",
      `const rows = await data.query("SELECT t.Species, p.prediction FROM t POSITIONAL JOIN p", {t: "test_data", p: "predictions"});
       const metrics = await data.json("metrics");
       const latest = await data.artifact("predictions:latest");
       const runs = await data.runs();
       const run = await data.run(runs[0].id);
       const model = await data.model("penguins-model@latest");
       const scored = await model.predict(await data.rows("test_data"));
       return {pipeline: data.pipeline, rows, metrics, latest, runs, run, scored: scored.map((s) => s.prediction),
         arrowRows: (await data.arrow("test_data")).numRows, parquetMagic: Buffer.from((await data.parquet("test_data")).subarray(0, 4)).toString()};`
    );
    const made = await make();
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);
    const out = JSON.parse(made.stdout);
    expect(out.pipeline).toBe("penguins");
    // The test rows and their predictions pair up row by row: the accuracy recomputed from them is the run's.
    const right = out.rows.filter(
      (r: {Species: string; prediction: string}) => r.Species === r.prediction
    ).length;
    expect(out.rows.length).toBe(out.metrics.rows);
    expect(right / out.rows.length).toBeCloseTo(out.metrics.accuracy, 12);
    // The registered model scores the test rows as the run did.
    expect(out.scored).toEqual(out.rows.map((r: {prediction: string}) => r.prediction));
    expect(out.latest).toMatchObject({name: "penguins/predictions", version: 1, format: "table"});
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0].params["model.params.C"]).toBeDefined();
    expect(out.run.metrics.accuracy).toBe(out.metrics.accuracy);
    expect(out.run.artifacts.predictions).toBe("penguins/predictions:v1");
    expect(out.arrowRows).toBe(out.rows.length);
    expect(out.parquetMagic).toBe("PAR1");

    const record = JSON.parse(
      readFileSync(join(dir, ".mlbook", "site", "reads", "data", "own.json.json"), "utf8")
    );
    expect(record.reads.map((r: {kind: string; ref: string | null}) => `${r.kind} ${r.ref}`)).toEqual([
      "artifact test_data",
      "artifact predictions",
      "artifact metrics",
      "artifact predictions:latest",
      "runs null",
      "run " + out.runs[0].id,
      "model penguins-model@latest",
      "artifact test_data",
      "artifact test_data",
      "artifact test_data"
    ]);
    expect(await states(["data/own.json"])).toEqual({"data/own.json": null});
  }, 120_000);

  it("goes stale on exactly what it read: a step key, a tracked version, the runs, its own code", async () => {
    const makeData = loader("testRows", `return await data.rows("test_data", {limit: 3});`);
    const makePredictions = loader("predictionRows", `return await data.rows("predictions", {limit: 3});`);
    const makeLatest = loader("latestMetrics", `return await data.json("metrics:latest");`);
    const makeRuns = loader("runCount", `return (await data.runs()).length;`);
    for (const make of [makeData, makePredictions, makeLatest, makeRuns])
      expect((await make()).status).toBe(0);
    const targets = [
      "data/testRows.json",
      "data/predictionRows.json",
      "data/latestMetrics.json",
      "data/runCount.json"
    ];
    expect(Object.values(await states(targets))).toEqual([null, null, null, null]);

    // A model param: the predictions' step key changes at once (nothing has run); the test rows' does not.
    const config = join(dir, "mlbook.yaml");
    const yaml = readFileSync(config, "utf8");
    writeFileSync(config, yaml.replace(/C: [\d.]+/, "C: 0.25"));
    expect(await states(targets)).toEqual({
      "data/testRows.json": null,
      "data/predictionRows.json": "predictions of penguins changed",
      "data/latestMetrics.json": null,
      "data/runCount.json": null
    });
    // A run records metrics v2 and one more run.
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0);
    expect(await states(targets)).toEqual({
      "data/testRows.json": null,
      "data/predictionRows.json": "predictions of penguins changed",
      "data/latestMetrics.json": "metrics:latest of penguins changed",
      "data/runCount.json": "the runs of penguins changed"
    });
    for (const make of [makePredictions, makeLatest, makeRuns]) expect((await make()).status).toBe(0);
    expect(Object.values(await states(targets))).toEqual([null, null, null, null]);
    expect(
      JSON.parse(readFileSync(join(dir, "docs", ".observablehq", "cache", "data", "runCount.json"), "utf8"))
    ).toBe(2);

    // Its own code.
    writeFileSync(
      join(dir, "docs", "data", "testRows.json.js"),
      readFileSync(join(dir, "docs", "data", "testRows.json.js"), "utf8") + "// edited\n"
    );
    expect((await states(["data/testRows.json"]))["data/testRows.json"]).toBe("loader code changed");
    writeFileSync(config, yaml);
  }, 180_000);

  it("fails naming what is wrong, writing no output and no record", async () => {
    const cases: [string, string, RegExp][] = [
      [
        "noSuchArtifact",
        `return await data.rows("no_such");`,
        /^error: pipeline penguins makes no artifact "no_such" \(its steps make: .*test_data/m
      ],
      [
        "noSuchVersion",
        `return await data.json("metrics:v9");`,
        /^error: metrics:v9: no such version \(have v1/m
      ],
      [
        "noSuchModel",
        `return await data.model("nobody@champion");`,
        /^error: nobody@champion: no registered model or artifact of that name \(registered models: penguins-model; no artifact named "penguins\/nobody"/m
      ],
      [
        "notJson",
        `return await data.json("test_data");`,
        /^error: test_data is a table: read it with rows\(\), query\(\) or parquet\(\)/m
      ],
      [
        "badSql",
        `return await data.query("SELEC 1", {});`,
        /^error: query: Parser Error: syntax error at or near/m
      ],
      ["throws", `throw new Error("my own mistake");`, /^error: my own mistake$/m],
      // The SQL reaches the stores' artifacts, not the machine's files.
      [
        "reachesOut",
        `return await data.query("SELECT * FROM read_text('/etc/passwd')", {});`,
        /^error: query: .*\/etc\/passwd/m
      ]
    ];
    for (const [name, body, message] of cases) {
      const made = await loader(name, body)();
      expect(made.status, name).toBe(1);
      expect(made.stderr, name).toMatch(message);
      expect(made.stdout, name).toBe("");
      expect(existsSync(join(dir, ".mlbook", "site", "reads", "data", `${name}.json.json`)), name).toBe(
        false
      );
    }
  }, 120_000);
});
