import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {mlbook, tinyProject} from "../helpers/project.ts";

/**
 * `mlbook runs`, `show`, `artifacts` and `lineage` from a workspace's root: mlbook.yaml (classification) and
 * pipelines/reg.yaml (regression, with its store in pipelines/.mlbook) seen together.
 */
describe("mlbook runs over a workspace", () => {
  it("lists every pipeline's runs with each task's headline metrics, and shows any of them", async () => {
    const dir = tinyProject();
    mkdirSync(join(dir, "pipelines"));
    writeFileSync(
      join(dir, "pipelines", "reg.yaml"),
      "name: tinyreg\ndata: {source: ../data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    const reg = await mlbook(dir, ["run", "-c", "pipelines/reg.yaml", "--json"]);
    expect(reg.status, reg.stderr).toBe(0);
    const regId = (JSON.parse(reg.stdout) as {runId: string}).runId;

    const out = (await mlbook(dir, ["runs"])).stdout.split("\n");
    expect(out[0]).toMatch(/^RUN +PIPELINE +STATUS +STARTED +ACCURACY +F1_MACRO +R2 +RMSE$/);
    const regRow = out.find((l) => l.includes("tinyreg"))!;
    const clsRow = out.find((l) => l.includes("tiny "))!;
    // Regression: blank accuracy and F1, numbers under R² and RMSE; classification the other way.
    expect(regRow).toMatch(
      new RegExp(`^${regId} +tinyreg +ok +\\d\\d-\\d\\d \\d\\d:\\d\\d +-?\\d+\\.\\d{4} +\\d+\\.\\d{4}$`)
    );
    expect(clsRow).toMatch(/ok +\d\d-\d\d \d\d:\d\d +\d\.\d{4} +\d\.\d{4}$/);

    const only = JSON.parse((await mlbook(dir, ["runs", "--pipeline", "tinyreg", "--json"])).stdout) as {
      id: string;
    }[];
    expect(only.map((r) => r.id)).toEqual([regId]);
    const shown = await mlbook(dir, ["show", regId]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`run ${regId}  tinyreg  ok`);
    expect((await mlbook(dir, ["show", "latest", "--json"])).stdout).toContain(regId);
    // Artifacts too: each pipeline's under its own name, numbered from v1, from the root.
    const artifacts = JSON.parse((await mlbook(dir, ["artifacts", "--json"])).stdout) as {
      name: string;
      latest: number;
    }[];
    expect(artifacts.filter((a) => /\/model$/.test(a.name))).toEqual([
      expect.objectContaining({name: "tiny/model", latest: 1}),
      expect.objectContaining({name: "tinyreg/model", latest: 1})
    ]);
    const lineage = await mlbook(dir, ["lineage", "tinyreg/model"]);
    expect(lineage.stdout.split("\n")[0]).toMatch(/^tinyreg\/model:v1 \(model, [0-9a-f]{12}\)$/);
    expect((await mlbook(dir, ["lineage", "model"])).stdout).toMatch(/^tiny\/model:v1 /);
    const alias = await mlbook(dir, ["artifacts", "alias", "tinyreg/model", "1", "gold"]);
    expect(alias.stdout).toBe("tinyreg/model@gold → tinyreg/model:v1\n");
    expect((await mlbook(dir, ["artifacts", "tinyreg/model"])).stdout).toMatch(/^v1 +gold/m);
    // Another pipeline's broken config is named and left out; the others are still listed.
    writeFileSync(join(dir, "pipelines", "broken.yaml"), "name: [unclosed\n");
    const despite = await mlbook(dir, ["runs", "--json"]);
    expect(despite.status, despite.stderr).toBe(0);
    expect(despite.stderr).toMatch(/warning: .*broken\.yaml: invalid YAML \(.+\): its runs are left out/);
    expect((JSON.parse(despite.stdout) as unknown[]).length).toBe(2);
    // Named itself, it is an error (it used to be read as an empty config, silently).
    const named = await mlbook(dir, ["runs", "-c", "pipelines/broken.yaml"]);
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/pipelines\/broken\.yaml: invalid YAML \(/);
    // A config named with -c (other than the default) lists its own tracking alone.
    const own = JSON.parse((await mlbook(dir, ["runs", "-c", "pipelines/reg.yaml", "--json"])).stdout) as {
      pipeline: string;
    }[];
    expect(new Set(own.map((r) => r.pipeline))).toEqual(new Set(["tinyreg"]));
  }, 60_000);
});
