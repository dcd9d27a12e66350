import {appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {copyOfRepo, mlbook, tinyCsv, tinyProject} from "../helpers/project.ts";

interface JsonRun {
  runId: string;
  pipeline: string;
  configDigest: string;
  steps: {name: string; status: string; key: string; reason: string | null; rows: Record<string, number>}[];
  metrics: Record<string, number>;
}

const receipts = (dir: string) => readdirSync(join(dir, ".mlbook", "receipts"));
const journal = (dir: string) => readdirSync(join(dir, ".mlbook", "runs")).filter((n) => n.endsWith(".json"));
/** The full engine's answer to the same command: receipts switched off. */
const full = (dir: string, args: string[]) => mlbook(dir, args, dir, {MLBOOK_NO_RECEIPT: "1"});

describe("an all-fresh `mlbook run` replayed from its receipt", () => {
  let dir: string;
  let slow: JsonRun;

  beforeAll(async () => {
    dir = copyOfRepo();
    const first = await mlbook(dir, ["run", "--json"], dir);
    expect(first.status).toBe(0);
    slow = JSON.parse(first.stdout) as JsonRun;
  });

  it("leaves a receipt after a run and replays it with the full path's answer", async () => {
    expect(receipts(dir)).toHaveLength(1);
    const before = journal(dir).length;
    const fast = await mlbook(dir, ["run", "--json"], dir);
    expect(fast.status).toBe(0);
    expect(fast.stderr).toBe("");
    const replay = JSON.parse(fast.stdout) as JsonRun;
    const reference = JSON.parse((await full(dir, ["run", "--json"])).stdout) as JsonRun;
    const shape = (r: JsonRun) => ({
      pipeline: r.pipeline,
      configDigest: r.configDigest,
      steps: r.steps.map(({name, status, key, reason, rows}) => ({name, status, key, reason, rows})),
      metrics: r.metrics
    });
    expect(shape(replay)).toEqual(shape(reference));
    expect(replay.steps.every((s) => s.status === "fresh")).toBe(true);
    expect(replay.steps.map((s) => s.key)).toEqual(slow.steps.map((s) => s.key));
    expect(replay.runId).not.toBe(reference.runId);
    // The replayed run is journaled like any all-fresh run, and reaches tracking with its metrics.
    expect(journal(dir).length).toBe(before + 2);
    const shown = await mlbook(dir, ["show", replay.runId, "--json"], dir);
    expect(shown.status).toBe(0);
    const record = JSON.parse(shown.stdout) as {
      run: {status: string; sweep_id: string | null};
      steps: {step: string; key: string; status: string}[];
      metrics: Record<string, number>;
      artifacts: unknown[];
    };
    expect(record.run.status).toBe("ok");
    expect(record.steps.map((s) => [s.step, s.key, s.status])).toEqual(
      replay.steps.map((s) => [s.name, s.key, "fresh"])
    );
    for (const [name, value] of Object.entries(replay.metrics)) expect(record.metrics[name]).toBe(value);
    const referenceRecord = JSON.parse(
      (await mlbook(dir, ["show", reference.runId, "--json"], dir)).stdout
    ) as typeof record;
    expect(record.artifacts.length).toBeGreaterThan(0);
    expect(record.artifacts).toEqual(referenceRecord.artifacts);
  });

  it("prints the same human report as the full path", async () => {
    const fast = await mlbook(dir, ["run"], dir);
    const fast2 = await mlbook(dir, ["run"], dir);
    const reference = await full(dir, ["run"]);
    const strip = (text: string) =>
      text.replace(/ +[\d.]+ m?s( |$)/gm, " <t>$1").replace(/run \S+ in .*/, "run <id>");
    expect(strip(fast2.stdout)).toBe(strip(reference.stdout));
    expect(strip(fast.stdout)).toBe(strip(reference.stdout));
    expect(fast2.stdout).toMatch(/^ {2}accuracy +1\.0000$/m);
  });

  it("takes the full path when the config, a step's code, the data or a store entry changed", async () => {
    // Config: a changed param reruns split and downstream.
    const config = join(dir, "mlbook.yaml");
    const yaml = readFileSync(config, "utf8");
    writeFileSync(config, yaml.replace("test_size: 0.2", "test_size: 0.3"));
    let run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as JsonRun;
    expect(run.steps.find((s) => s.name === "split")?.reason).toBe("param split.test_size changed");
    writeFileSync(config, yaml);
    run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as JsonRun;
    expect(run.steps.every((s) => s.status === "fresh")).toBe(true);

    // Code: a step's source (or what it imports) changed.
    appendFileSync(join(dir, "src", "pipeline", "ml", "metrics", "index.ts"), "\n// edited\n");
    run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as JsonRun;
    expect(run.steps.find((s) => s.name === "evaluate")?.reason).toBe("code of evaluate changed");

    // A store entry's file went missing: rebuilt, never replayed as fresh.
    const train = run.steps.find((s) => s.name === "train")!;
    rmSync(join(dir, ".mlbook", "store", "train", train.key, "model.json"));
    run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as JsonRun;
    expect(run.steps.find((s) => s.name === "train")?.status).toBe("ran");
    expect(run.steps.find((s) => s.name === "train")?.reason).toMatch(/entry corrupt/);

    // Overrides are part of the command line: a new one is not replayed from another's receipt.
    run = JSON.parse((await mlbook(dir, ["run", "--json", "model.params.C=0.5"], dir)).stdout) as JsonRun;
    expect(run.steps.find((s) => s.name === "train")?.reason).toBe("param model.params.C changed");
    run = JSON.parse((await mlbook(dir, ["run", "--json", "model.params.C=0.5"], dir)).stdout) as JsonRun;
    expect(run.steps.every((s) => s.status === "fresh")).toBe(true);
  });

  it("takes the full path when the data changed", async () => {
    const tiny = tinyProject();
    expect((await mlbook(tiny, ["run"])).status).toBe(0);
    let run = JSON.parse((await mlbook(tiny, ["run", "--json"])).stdout) as JsonRun;
    expect(run.steps.every((s) => s.status === "fresh")).toBe(true);
    writeFileSync(join(tiny, "data.csv"), tinyCsv(150, 2));
    run = JSON.parse((await mlbook(tiny, ["run", "--json"])).stdout) as JsonRun;
    expect(run.steps[0]).toMatchObject({name: "ingest", status: "ran", reason: "data changed"});
  });
});
