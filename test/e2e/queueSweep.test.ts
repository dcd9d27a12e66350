import {spawn, type ChildProcess} from "node:child_process";
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {Queue} from "bullmq";
import {afterAll, afterEach, beforeAll, describe, expect, it} from "vitest";
import {copyOfRepo, mlbook, repoRoot, tinyProject} from "../helpers/project.ts";
import {startRedis, startS3} from "../helpers/services.ts";

interface SweepJson {
  sweepId: string;
  jobs: {
    index: number;
    overrides: string[];
    status: string;
    error?: string;
    runId: string;
    steps: {name: string; status: string; key: string}[];
    metrics: Record<string, number>;
    worker?: string;
  }[];
  winner: {index: number; registerRunId: string | null} | null;
  moved?: {bytesIn: number; bytesOut: number};
}

/** A process that keeps running (a worker, a coordinator to interrupt), with what it printed so far. */
interface Running {
  child: ChildProcess;
  out(): string;
  /** Resolves once what it printed matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

function start(cwd: string, args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [join(repoRoot, "bin", "mlbook.js"), ...args], {
    cwd,
    env: {...process.env, NO_COLOR: "1", ...env},
    stdio: ["ignore", "pipe", "pipe"]
  });
  let out = "";
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    out: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      })
  };
}

const sweep = ["run", "-m", "model.params.C=0.05,0.5,5,50", "--json"];
/** Per job: its overrides, every step's key and its metrics — equal keys mean equal bytes. */
const results = (json: SweepJson) =>
  json.jobs.map((j) => ({overrides: j.overrides, keys: j.steps.map((s) => s.key), metrics: j.metrics}));

/**
 * Sweeps on a Redis queue (Debian's redis-server) with workers in their own copies of the project
 * (own empty stores, standing in for machines) sharing results through an S3-compatible store
 * (s3rver), both on loopback.
 */
describe("mlbook run -m --queue and mlbook worker", {timeout: 300_000}, () => {
  let redis: {url: string; stop(): Promise<void>};
  let s3: Awaited<ReturnType<typeof startS3>>;
  let env: Record<string, string>;
  const running: Running[] = [];
  const worker = (args: string[] = [], extra: Record<string, string> = {}, dir = copyOfRepo()) => {
    const w = start(dir, ["worker", "--queue", redis.url, ...args], {...env, ...extra});
    running.push(w);
    return w;
  };

  beforeAll(async () => {
    [redis, s3] = await Promise.all([startRedis(), startS3()]);
    env = {...s3.env, MLBOOK_REMOTE: "s3://team/mlbook"};
  }, 60_000);

  afterEach(async () => {
    for (const w of running.splice(0)) {
      w.child.kill("SIGKILL");
      await w.exited;
    }
  });

  afterAll(async () => {
    await redis?.stop();
    await s3?.close();
  });

  it("gives the local sweep's results bit for bit, each job recorded once by the coordinator", async () => {
    const local = copyOfRepo();
    const here = await mlbook(local, [...sweep, "--jobs", "2"], local);
    expect(here.status, here.stderr).toBe(0);
    const reference = JSON.parse(here.stdout) as SweepJson;

    const workers = [worker(), worker()];
    await Promise.all(workers.map((w) => w.waitFor(/^mlbook worker \S+ \(mlbook [\d.]+\) on redis:/m)));
    const coordinator = copyOfRepo();
    const there = await mlbook(coordinator, [...sweep, "--queue", redis.url], coordinator, env);
    expect(there.status, there.stderr).toBe(0);
    const queued = JSON.parse(there.stdout) as SweepJson;
    expect(there.stderr).toMatch(/^ {2}queued 4 jobs on redis:\/\/127\.0\.0\.1:\d+ \(mlbook-jobs\)/m);

    expect(results(queued)).toEqual(results(reference));
    expect(queued.jobs.every((j) => j.status === "ok")).toBe(true);
    // Both workers took jobs; every job ran on a worker, none here.
    expect(new Set(queued.jobs.map((j) => j.worker)).size).toBe(2);
    expect(queued.moved!.bytesOut).toBeGreaterThan(0);
    // The same winner, registered here from the entries the workers pushed: the same model bytes.
    expect(queued.winner!.index).toBe(reference.winner!.index);
    expect(queued.winner!.registerRunId).toBeTruthy();
    const trainKey = queued.jobs
      .find((j) => j.index === queued.winner!.index)!
      .steps.find((s) => s.name === "train")!.key;
    const model = (dir: string) =>
      readFileSync(join(dir, ".mlbook", "store", "train", trainKey, "model.json"));
    expect(model(coordinator).equals(model(local))).toBe(true);

    // The coordinator's tracking holds each job's run once, as the local sweep's does.
    const runs = JSON.parse(
      (await mlbook(coordinator, ["runs", "--sweep", queued.sweepId, "--json"], coordinator)).stdout
    ) as {id: string; sweep_role: string; metrics: Record<string, number>}[];
    expect(runs.map((r) => r.id).sort()).toEqual(queued.jobs.map((j) => j.runId).sort());
    expect(runs.every((r) => r.sweep_role === "job")).toBe(true);
    const models = await mlbook(coordinator, ["models"], coordinator);
    expect(models.stdout).toMatch(/penguins-model/);
    // Workers keep no record of the jobs they ran: the coordinator's database is the one.
    expect(workers[0].out()).toMatch(/^job \S+#\d started: model\.params\.C=/m);
  });

  it("hands a killed worker's job to another worker: every job done once", async () => {
    const doomed = worker(["--lock", "2"]);
    await doomed.waitFor(/^mlbook worker /m);
    const coordinator = copyOfRepo();
    const sweeping = start(
      coordinator,
      [...sweep.slice(0, 2), "model.params.C=0.07,0.7,7", "--queue", redis.url, "--json"],
      env
    );
    // The first worker takes a job; it dies in the middle of it, before a second worker is up.
    await doomed.waitFor(/^job (\S+#\d+) started/m);
    const job = /^job (\S+#\d+) started/m.exec(doomed.out())![1];
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const rescuer = worker(["--lock", "2"]);
    expect(await sweeping.exited, sweeping.out()).toBe(0);
    const json = JSON.parse(sweeping.out().slice(sweeping.out().indexOf("{\n"))) as SweepJson;
    expect(json.jobs.map((j) => j.status)).toEqual(["ok", "ok", "ok"]);
    // The killed job ran again on the second worker, and its record reached the coordinator once.
    expect(rescuer.out()).toContain(`job ${job} done`);
    expect(doomed.out()).not.toContain(`job ${job} done`);
    const runs = JSON.parse(
      (await mlbook(coordinator, ["runs", "--sweep", json.sweepId, "--json"], coordinator)).stdout
    ) as {id: string}[];
    expect(runs.map((r) => r.id).sort()).toEqual(json.jobs.map((j) => j.runId).sort());
  });

  it("runs a sweep with pinned inputs (--from) on a worker, which has no tracking to resolve them", async () => {
    const coordinator = copyOfRepo();
    // The pinned version: made by a run here, and only here (the worker's project has none).
    expect((await mlbook(coordinator, ["run"], coordinator)).status).toBe(0);
    const pinned = ["run", "-m", "model.params.C=0.3,3", "--from", "clean_data:v1", "--json"];
    const local = await mlbook(coordinator, [...pinned, "--jobs", "1"], coordinator);
    expect(local.status, local.stderr).toBe(0);
    const w = worker();
    await w.waitFor(/^mlbook worker /m);
    const queued = await mlbook(coordinator, [...pinned, "--queue", redis.url], coordinator, env);
    expect(queued.status, queued.stderr + w.out()).toBe(0);
    const [a, b] = [local, queued].map((r) => JSON.parse(r.stdout) as SweepJson);
    expect(b.jobs.map((j) => j.worker)).toEqual([expect.any(String), expect.any(String)]);
    // The same models and metrics as the pinned sweep here.
    expect(results(b)).toEqual(results(a));
    expect(w.out()).toMatch(/^job \S+#1 done .*; pulled [\d.]+ KiB/m);
  });

  it("refuses a job on a worker whose plan differs, and Ctrl-C takes the sweep's queued jobs back", async () => {
    // A worker on another version of the pipeline (its split differs): every job refused, clearly.
    const other = copyOfRepo();
    const yaml = join(other, "mlbook.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace(/seed: \d+/, "seed: 12345"));
    const stale = worker([], {}, other);
    await stale.waitFor(/^mlbook worker /m);
    const coordinator = copyOfRepo();
    const refused = await mlbook(
      coordinator,
      ["run", "-m", "model.params.C=0.2,2", "--queue", redis.url],
      coordinator,
      env
    );
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(
      /^ {2}job 1\/2 .* failed: worker \S+ plans split as [0-9a-f]{12}…, the coordinator as [0-9a-f]{12}…: mlbook versions \(\S+ here, \S+ there\), the pipeline's code or its data differ/m
    );
    expect(refused.stderr).toContain("error: 2 of 2 sweep jobs failed");
    stale.child.kill("SIGKILL");
    await stale.exited;

    // A worker started in another workspace, where the job's config takes no such override.
    const elsewhere = tinyProject();
    const stranger = worker([], {}, elsewhere);
    await stranger.waitFor(/^mlbook worker /m);
    const lost = await mlbook(
      coordinator,
      ["run", "-m", "model.params.C=0.2,2", "steps.beak_ratio.params.scale=1.5", "--queue", redis.url],
      coordinator,
      env
    );
    expect(lost.status).toBe(1);
    expect(lost.stdout).toContain(
      `failed: worker ${/^mlbook worker (\S+)/m.exec(stranger.out())![1]} in ${elsewhere} cannot load mlbook.yaml with the job's overrides (`
    );
    expect(lost.stdout).toMatch(/: run workers in the coordinator's workspace, at its commit$/m);
    stranger.child.kill("SIGKILL");
    await stranger.exited;

    // No worker: the jobs wait; Ctrl-C removes them from the queue.
    const waiting = start(coordinator, ["run", "-m", "model.params.C=0.3,3,30", "--queue", redis.url], env);
    await waiting.waitFor(/queued 3 jobs/);
    const queue = new Queue("mlbook-jobs", {connection: {url: redis.url}});
    try {
      expect(await queue.getWaitingCount()).toBe(3);
      waiting.child.kill("SIGINT");
      expect(await waiting.exited).toBe(130);
      expect(waiting.out()).toMatch(/interrupted: removed 3 queued jobs/);
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
    }

    // Misuse is refused before anything runs.
    const noRemote = await mlbook(
      coordinator,
      ["run", "-m", "model.params.C=1,2", "--queue", redis.url],
      coordinator
    );
    expect(noRemote.status).toBe(2);
    expect(noRemote.stderr).toMatch(/--queue: the workers need a shared store/);
    const down = await mlbook(
      coordinator,
      ["run", "-m", "model.params.C=1,2", "--queue", "redis://127.0.0.1:9"],
      coordinator,
      env
    );
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/^error: queue redis:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/m);
    const noSweep = await mlbook(coordinator, ["run", "--queue", redis.url], coordinator, env);
    expect(noSweep.status).toBe(2);
    expect(noSweep.stderr).toMatch(/--queue runs a sweep's jobs on workers: add -m/);
  });
});
