import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {copyOfRepo, mlbook} from "../helpers/project.ts";
import {startS3} from "../helpers/services.ts";

interface JsonRun {
  runId: string;
  steps: {name: string; status: string; key: string; reason: string | null}[];
  metrics: Record<string, unknown>;
}

/**
 * A shared store on a real S3-compatible server (s3rver, on loopback): one copy of the project
 * computes and pushes, another with an empty store pulls and computes nothing, a tampered remote
 * entry is refused and recomputed.
 */
describe("a remote store (MLBOOK_REMOTE=s3://bucket/prefix)", () => {
  let s3: S3Client;
  let env: Record<string, string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const server = await startS3();
    ({s3, close} = server);
    env = {...server.env, MLBOOK_REMOTE: "s3://team/mlbook"};
  }, 60_000);

  afterAll(() => close?.());

  const run = async (dir: string, args: string[] = []) => {
    const out = await mlbook(dir, ["run", "--json", ...args], dir, env);
    if (out.status !== 0) throw new Error(`mlbook run exited ${out.status}: ${out.stderr}`);
    return {json: JSON.parse(out.stdout) as JsonRun, stderr: out.stderr};
  };
  const statuses = (r: JsonRun) => Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

  it("pushes what a run computes; a fresh clone pulls it all, checked, and computes nothing", async () => {
    const first = copyOfRepo();
    const made = await run(first);
    expect(Object.values(statuses(made.json)).every((s) => s === "ran")).toBe(true);

    const second = copyOfRepo();
    // Its store is empty: every step fresh means every entry came from the remote.
    const pulled = await run(second);
    expect(statuses(pulled.json)).toEqual(Object.fromEntries(made.json.steps.map((s) => [s.name, "fresh"])));
    expect(pulled.json.metrics).toEqual(made.json.metrics);
    // The same bytes in both stores.
    const model = (dir: string, key: string) =>
      readFileSync(join(dir, ".mlbook", "store", "train", key, "model.json"));
    const train = made.json.steps.find((s) => s.name === "train")!.key;
    expect(model(second, train).equals(model(first, train))).toBe(true);

    // The report builds from the pulled store without running a step.
    const build = await mlbook(second, ["build"], second, env);
    expect(build.stderr).toBe("");
    expect(build.status).toBe(0);
    expect(build.stdout + build.stderr).not.toMatch(/^ {2}\w+ ran \(/m);
  }, 300_000);

  it("refuses a tampered remote entry, recomputes the step and puts the right entry back", async () => {
    const first = copyOfRepo();
    const base = await run(first, ["model.params.C=0.3"]);
    const train = base.json.steps.find((s) => s.name === "train")!.key;
    const evaluate = base.json.steps.find((s) => s.name === "evaluate")!.key;
    await s3.send(
      new PutObjectCommand({
        Bucket: "team",
        Key: `mlbook/store/train/${train}/model.json`,
        Body: '{"tampered": true}'
      })
    );

    const second = copyOfRepo();
    const said = await mlbook(second, ["run", "model.params.C=0.3"], second, env);
    expect(said.status).toBe(0);
    expect(said.stderr).toMatch(
      new RegExp(`refused train/${train.slice(0, 12)}… \\(model\\.json fails its checksum\\); running it`)
    );
    expect(said.stdout).toMatch(/^ {2}ingest +fresh/m);
    expect(said.stdout).toMatch(/^ {2}train +ran/m);
    expect(said.stderr).toMatch(/remote s3:\/\/team\/mlbook: pulled \d+ \(ingest, .*\); pushed 1 \(/);
    const again = await run(second, ["model.params.C=0.3"]);
    // evaluate's entry is the remote's (the recomputed model is the same model), its metrics the first run's.
    expect(again.json.steps.find((s) => s.name === "evaluate")!.key).toBe(evaluate);
    expect(again.json.metrics).toEqual(base.json.metrics);

    // A remote manifest naming a file outside its entry is refused before anything is written.
    const status = JSON.parse(
      (await mlbook(second, ["status", "--json", "model.params.C=0.9"], second)).stdout
    ) as {
      steps: {name: string; key: string}[];
    };
    const trainKey = status.steps.find((s) => s.name === "train")!.key;
    await s3.send(
      new PutObjectCommand({
        Bucket: "team",
        Key: `mlbook/store/train/${trainKey}/manifest.json`,
        Body: JSON.stringify({
          step: "train",
          key: trainKey,
          files: {"../../escape.json": {sha256: "0", bytes: 1}}
        })
      })
    );
    const evil = await mlbook(second, ["run", "model.params.C=0.9"], second, env);
    expect(evil.status).toBe(0);
    expect(evil.stderr).toMatch(
      /refused train\/[0-9a-f]{12}… \(a file named "\.\.\/\.\.\/escape\.json"\); running it/
    );

    const third = copyOfRepo();
    const clean = await run(third, ["model.params.C=0.3"]);
    expect(clean.stderr).not.toMatch(/refused/);
    expect(Object.values(statuses(clean.json)).every((s) => s === "fresh")).toBe(true);
  }, 300_000);

  it("mlbook push sends what a run without the remote made, mlbook pull fetches it, and both say so when no remote is set", async () => {
    const dir = copyOfRepo();
    expect((await mlbook(dir, ["run", "model.params.C=0.7"], dir)).status).toBe(0);
    const pushed = await mlbook(dir, ["push", "model.params.C=0.7"], dir, env);
    expect(pushed.stderr).toBe("");
    // Ingest … split are on the remote from the runs above; train, evaluate and register are new.
    expect(pushed.stdout).toMatch(/ {2}pushed train [0-9a-f]{12}/);
    expect(pushed.stdout).toMatch(/ {2}ingest [0-9a-f]{12} is there already/);
    expect(pushed.stdout).toMatch(/→ s3:\/\/team\/mlbook: 3 pushed/);
    // mlbook pull fills an empty store; then, with no remote set, every step is fresh.
    const other = copyOfRepo();
    const got = await mlbook(other, ["pull", "model.params.C=0.7"], other, env);
    expect(got.stderr).toBe("");
    expect(got.stdout).toMatch(/← s3:\/\/team\/mlbook: 8 pulled/);
    const status = JSON.parse(
      (await mlbook(other, ["status", "--json", "model.params.C=0.7"], other)).stdout
    ) as {
      steps: {name: string; fresh: boolean}[];
    };
    expect(status.steps.map((s) => [s.name, s.fresh])).toEqual(status.steps.map((s) => [s.name, true]));
    const pulled = await run(other, ["model.params.C=0.7"]);
    expect(Object.values(statuses(pulled.json))).toEqual(pulled.json.steps.map(() => "fresh"));

    // A remote that cannot be reached: said once, and the run goes on here.
    const offline = copyOfRepo();
    const away = await mlbook(offline, ["run"], offline, {...env, AWS_ENDPOINT_URL: "http://127.0.0.1:9"});
    expect(away.status).toBe(0);
    expect(away.stdout).toMatch(/^ {2}train +ran/m);
    expect(away.stderr.match(/going on without it/g)).toHaveLength(1);
    expect(away.stderr).not.toMatch(/refused/);
    expect(away.stderr).toMatch(/^ {2}remote s3:\/\/team\/mlbook: .*; going on without it$/m);

    // The remote named in the config instead of the environment; a bad one is refused by key.
    const configured = copyOfRepo();
    const yaml = join(configured, "mlbook.yaml");
    writeFileSync(yaml, `${readFileSync(yaml, "utf8")}store: {remote: "s3://team/mlbook"}\n`);
    const {MLBOOK_REMOTE: _unused, ...aws} = env;
    const fromConfig = await mlbook(configured, ["run", "model.params.C=0.7"], configured, aws);
    expect(fromConfig.stdout).toMatch(/^ {2}train +fresh/m);
    expect(fromConfig.stderr).toMatch(/remote s3:\/\/team\/mlbook: pulled 8 /);
    const bad = await mlbook(configured, ["run", "store.remote=http://example.com/x"], configured, aws);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/store\.remote.*expected s3:\/\/bucket\/prefix/);

    const none = await mlbook(dir, ["push"], dir);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(
      "error: push: no remote store (set store.remote in the config, or MLBOOK_REMOTE=s3://bucket/prefix)\n"
    );
    const nothing = await mlbook(dir, ["pull"], dir);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toBe(
      "error: pull: no remote store (set store.remote in the config, or MLBOOK_REMOTE=s3://bucket/prefix)\n"
    );
  }, 300_000);

  it("mlbook push --run and pull --run move one run: its entries, and its record into the other's tracking and registry", async () => {
    const author = copyOfRepo();
    const made = await run(author, ["model.params.C=0.45"]);
    const id = made.json.runId;
    // Pushed without the remote set during the run: the command sends the entries and the record.
    const pushed = await mlbook(author, ["push", "--run", id], author, env);
    expect(pushed.stderr).toBe("");
    expect(pushed.stdout).toContain(`  pushed run ${id}\n`);

    const reader = copyOfRepo();
    const pulled = await mlbook(reader, ["pull", "--run", id], reader, env);
    expect(pulled.stderr).toBe("");
    expect(pulled.stdout).toMatch(/ {2}recorded run \S+: registered penguins-model v1/);
    const runs = async () =>
      JSON.parse((await mlbook(reader, ["runs", "--json"], reader)).stdout) as {
        id: string;
        metrics: Record<string, number>;
      }[];
    const [only] = await runs();
    expect(only.id).toBe(id);
    expect(only.metrics.accuracy).toBe(made.json.metrics.accuracy);
    const models = await mlbook(reader, ["models"], reader);
    expect(models.stdout).toMatch(new RegExp(`^penguins-model +v1 +latest .* ${id} `, "m"));
    // Its entries came too: the same config and override is all fresh here, with the same metrics.
    const again = await run(reader, ["model.params.C=0.45"]);
    expect(Object.values(statuses(again.json)).every((s) => s === "fresh")).toBe(true);
    // Pulling it twice records it once.
    await mlbook(reader, ["pull", "--run", id], reader, env);
    expect((await runs()).filter((r) => r.id === id)).toHaveLength(1);

    const absent = await mlbook(reader, ["pull", "--run", "20200101-000000-abcdef"], reader, env);
    expect(absent.status).toBe(1);
    expect(absent.stderr).toBe(
      "error: pull --run: s3://team/mlbook has no run 20200101-000000-abcdef (its author can mlbook push --run 20200101-000000-abcdef)\n"
    );
    // A record on the remote that is not one, and a run id that would name another key, are refused.
    await s3.send(
      new PutObjectCommand({
        Bucket: "team",
        Key: "mlbook/runs/20200101-000000-badbad.json",
        Body: '{"id": 1}'
      })
    );
    const forged = await mlbook(reader, ["pull", "--run", "20200101-000000-badbad"], reader, env);
    expect(forged.status).toBe(1);
    expect(forged.stderr).toMatch(
      /^error: pull --run: the remote's record of run 20200101-000000-badbad is not a run record \(/
    );
    const escape = await mlbook(reader, ["pull", "--run", "../store/x"], reader, env);
    expect(escape.status).toBe(2);
    expect(escape.stderr).toBe('error: invalid run id "../store/x"\n');
    const unknown = await mlbook(author, ["push", "--run", "20200101-000000-abcdef"], author, env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^error: push --run: no run 20200101-000000-abcdef in /);
    // A run of another pipeline goes with that pipeline's config.
    const other = copyOfRepo({pipelines: true});
    const wrong = await mlbook(other, ["pull", "--run", id, "-c", "pipelines/cars.yaml"], other, env);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/run \S+ is a run of penguins, not cars: pull it with -c/);
    // Without -c or -p, a run of another pipeline of the workspace goes to that pipeline (-p names one).
    const cars = await mlbook(other, ["run", "-c", "pipelines/cars.yaml", "--json"], other);
    expect(cars.status, cars.stderr).toBe(0);
    const carsRun = (JSON.parse(cars.stdout) as JsonRun).runId;
    expect((await mlbook(other, ["push", "--run", carsRun, "-p", "cars"], other, env)).status).toBe(0);
    const teammate = copyOfRepo({pipelines: true});
    const fetched = await mlbook(teammate, ["pull", "--run", carsRun], teammate, env);
    expect(fetched.stderr).toBe("");
    expect(fetched.stdout).toMatch(/^mlbook pull cars \(pipelines\/cars\.yaml\) ← /m);
    const carsRuns = JSON.parse(
      (await mlbook(teammate, ["runs", "-c", "pipelines/cars.yaml", "--json"], teammate)).stdout
    ) as {id: string}[];
    expect(carsRuns.map((r) => r.id)).toEqual([carsRun]);
    const nope = await mlbook(teammate, ["pull", "-p", "nope"], teammate, env);
    expect(nope.status).toBe(2);
    expect(nope.stderr).toMatch(/^error: pull: no pipeline nope here \(pipelines: penguins, .*cars/m);
  }, 300_000);
});
