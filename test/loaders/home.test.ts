import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {home} from "../../src/loaders/home.ts";
import {mlbook, tinyConfig, tinyProject} from "../helpers/project.ts";

/** The home page's data: a row per pipeline, each value as the CLI reports it. */
describe("the home page data", () => {
  it("lists every pipeline with its selection or first headline metric, checks, latest batch, last run and registered versions", async () => {
    const dir = tinyProject();
    // tiny: a classifier with a warning check (x1 misses 9 of 150 values), registered, picked by f1_macro.
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `${tinyConfig}check:\n  columns:\n    x1: {max_null_fraction: 0.01, severity: warn}\n    label: {not_null: true}\n` +
        "register: {name: tiny-model}\nevaluate: {cv: {folds: 3}}\nselection: {metric: f1_macro}\n"
    );
    mkdirSync(join(dir, "pipelines"));
    writeFileSync(
      join(dir, "pipelines", "reg.yaml"),
      "name: tinyreg\ndata: {source: ../data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    const cli = async (args: string[]) => {
      const out = await mlbook(dir, args, undefined, {});
      expect(out.status, `mlbook ${args.join(" ")}: ${out.stderr}`).toBe(0);
      return out.stdout;
    };
    await cli(["run"]);
    await cli(["run", "-c", "pipelines/reg.yaml"]);
    await cli(["monitor", "tiny-model", "data.csv", "--at", "2026-05-01"]);
    await cli(["models", "alias", "tiny-model", "1", "champion"]);

    const data = await home(undefined, dir);
    expect(data.pipelines.map((p) => [p.name, p.task, p.config])).toEqual([
      ["tiny", "classification", "mlbook.yaml"],
      ["tinyreg", "regression", "pipelines/reg.yaml"]
    ]);
    const [tiny, reg] = data.pipelines;
    // Each pipeline's newest run, as `mlbook runs -p NAME` lists it, and its metrics as `mlbook show` prints them.
    const show = async (pipeline: string, config: string) => {
      const [newest] = JSON.parse(await cli(["runs", "-p", pipeline, "-n", "1", "--json", "-c", config])) as {
        id: string;
      }[];
      return JSON.parse(await cli(["show", newest.id, "--json", "-c", config])) as {
        run: {id: string; started_at: string};
        metrics: Record<string, number>;
      };
    };
    const tinyRun = await show("tiny", "mlbook.yaml");
    expect(tiny.run).toEqual({id: tinyRun.run.id, startedAt: tinyRun.run.started_at});
    expect(tiny.metric).toEqual({
      name: "f1_macro",
      value: tinyRun.metrics.f1_macro,
      selection: true,
      lowerIsBetter: false
    });
    const regRun = await show("tinyreg", "pipelines/reg.yaml");
    expect(reg.run).toEqual({id: regRun.run.id, startedAt: regRun.run.started_at});
    expect(reg.metric).toEqual({
      name: "r2",
      value: regRun.metrics.r2,
      selection: false,
      lowerIsBetter: false
    });

    // The warning check failed (a run goes on past a warning); no check step: null.
    // tinyCsv leaves x1 empty in rows i ≡ 5 (mod 17): 9 of 150.
    expect(tiny.checks?.expectations).toBeGreaterThanOrEqual(2);
    expect(tiny.checks?.failed).toEqual([
      {message: "x1: max null fraction 0.01: found 0.06 (9 of 150 rows)", severity: "warn"}
    ]);
    expect(reg.checks).toBeNull();

    // The monitored batch, as `mlbook monitor --history` lists it.
    const history = JSON.parse(await cli(["monitor", "tiny-model", "--history", "--json"])) as {
      file: string;
      at: string;
      drifted: string[];
    }[];
    expect(tiny.monitoring.batches).toBe(1);
    expect(tiny.monitoring.latest).toMatchObject({
      file: history[0].file,
      at: history[0].at,
      drifted: history[0].drifted,
      model: "tiny-model",
      version: 1
    });
    expect(reg.monitoring).toEqual({batches: 0, latest: null});

    // Registered versions with their aliases, as `mlbook models` lists them; none without `register:`.
    const models = JSON.parse(await cli(["models", "--json"])) as {version: number; aliases: string}[];
    expect(models.map((m) => [m.version, m.aliases])).toEqual([[1, "champion latest"]]);
    expect(tiny.registered).toEqual({
      name: "tiny-model",
      versions: [{version: 1, aliases: ["champion", "latest"]}]
    });
    expect(reg.registered).toBeNull();
  }, 120_000);
});
