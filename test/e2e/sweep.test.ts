import {spawn} from "node:child_process";
import {appendFileSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {mlbook, repoRoot, tinyProject} from "../helpers/project.ts";

interface SweepJson {
  sweepId: string;
  shared: {name: string; status: string; key: string}[];
  jobs: {
    index: number;
    runId: string;
    overrides: string[];
    status: string;
    steps: {name: string; status: string; key: string}[];
    metrics: Record<string, number>;
  }[];
}

const sweep = ["run", "-m", "model.params.C=0.1,1,10", "model.params.max_iter=50,100"];
const ranSteps = (json: SweepJson) =>
  json.jobs.flatMap((j) => j.steps.filter((s) => s.status === "ran").map((s) => `${j.index}:${s.name}`));
// Keys and metrics exactly: every step writes its rows in a fixed order, so one key means one result.
const results = (json: SweepJson) =>
  json.jobs.map((j) => ({overrides: j.overrides, keys: j.steps.map((s) => s.key), metrics: j.metrics}));

/** Runs a sweep and SIGKILLs its whole process group once `after` jobs have reported done. */
function killAfter(cwd: string, args: string[], after: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "mlbook.js"), ...args], {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if ((out.match(/^ {2}job +\d+\/\d+ .* ran /gm) ?? []).length >= after)
        process.kill(-child.pid!, "SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (_, signal) =>
      signal === "SIGKILL" ? resolve(out) : reject(new Error(`sweep ended before it was killed:\n${out}`))
    );
  });
}

describe("mlbook run -m (sweeps)", {timeout: 300_000}, () => {
  let reference: SweepJson;
  let parallel: SweepJson;
  let dir: string;

  beforeAll(async () => {
    dir = tinyProject();
    const two = await mlbook(dir, [...sweep, "--jobs", "2", "--json"]);
    expect(two.status, two.stderr).toBe(0);
    parallel = JSON.parse(two.stdout) as SweepJson;
    const one = await mlbook(tinyProject(), [...sweep, "--jobs", "1", "--json"]);
    expect(one.status, one.stderr).toBe(0);
    reference = JSON.parse(one.stdout) as SweepJson;
  }, 300_000);

  it("runs the Cartesian product, shared steps once in the parent, one job per run", () => {
    expect(parallel.jobs.map((j) => j.overrides.join(" "))).toEqual([
      "model.params.C=0.1 model.params.max_iter=50",
      "model.params.C=0.1 model.params.max_iter=100",
      "model.params.C=1 model.params.max_iter=50",
      "model.params.C=1 model.params.max_iter=100",
      "model.params.C=10 model.params.max_iter=50",
      "model.params.C=10 model.params.max_iter=100"
    ]);
    expect(parallel.shared.map((s) => [s.name, s.status])).toEqual([
      ["ingest", "ran"],
      ["clean", "ran"],
      ["split", "ran"]
    ]);
    for (const job of parallel.jobs) {
      expect(job.status).toBe("ok");
      expect(job.steps.map((s) => s.status)).toEqual(["fresh", "fresh", "fresh", "ran", "ran"]);
      expect(job.metrics.accuracy).toBeGreaterThan(0.8);
    }
    expect(new Set(parallel.jobs.map((j) => j.steps[3].key)).size).toBe(6);
  });

  it("gives identical keys and metrics with --jobs 1 and --jobs 2", () => {
    expect(results(parallel)).toEqual(results(reference));
  });

  it("records each job as a run of the sweep: mlbook sweeps and mlbook runs --sweep", async () => {
    const sweeps = JSON.parse((await mlbook(dir, ["sweeps", "--json"])).stdout) as {
      id: string;
      jobs: number;
      metric: string;
      best: {run: string; value: number};
    }[];
    const mine = sweeps.find((s) => s.id === parallel.sweepId)!;
    expect(mine).toMatchObject({jobs: 6, metric: "accuracy"});
    expect(mine.best.value).toBe(Math.max(...parallel.jobs.map((j) => j.metrics.accuracy)));
    const runs = JSON.parse((await mlbook(dir, ["runs", "--sweep", parallel.sweepId, "--json"])).stdout) as {
      sweep_id: string;
      sweep_role: string;
    }[];
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.sweep_id === parallel.sweepId)).toBe(true);
    expect(runs.map((r) => r.sweep_role)).toEqual(Array(6).fill("job"));
    // The shared steps' run is part of the sweep too, recorded as such, but not one of its jobs.
    const all = JSON.parse((await mlbook(dir, ["runs", "--json"])).stdout) as {
      id: string;
      sweep_id: string | null;
      sweep_role: string | null;
      metrics: Record<string, number>;
    }[];
    const parts = all.filter((r) => r.sweep_id === parallel.sweepId);
    expect(parts.map((r) => r.sweep_role).sort()).toEqual([...Array(6).fill("job"), "shared"]);
    const shared = parts.find((r) => r.sweep_role === "shared")!;
    expect(shared.metrics).toEqual({});
    const shown = await mlbook(dir, ["show", shared.id]);
    expect(shown.stdout).toContain(`  sweep ${parallel.sweepId}: the steps its jobs share\n`);
    expect(shown.stdout).toMatch(/^steps\n {2}ingest .*\n {2}clean .*\n {2}split .*\nartifacts/m);
  });

  it("prints the sweep id, the job count and one line per job; a rerun is all fresh", async () => {
    const again = await mlbook(dir, [...sweep, "--jobs", "2"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^mlbook sweep \d{8}-\d{6}-[0-9a-f]{6}: 6 jobs of tiny \(mlbook\.yaml\), 2 workers$/m
    );
    expect(again.stdout).toMatch(/^ {2}shared {2}ingest fresh, clean fresh, split fresh$/m);
    for (let i = 1; i <= 6; ++i)
      expect(again.stdout).toMatch(
        new RegExp(
          `^  job ${i}/6  model\\.params\\.C=\\S+ model\\.params\\.max_iter=\\d+ +fresh +accuracy [01]\\.\\d{4}`,
          "m"
        )
      );
    expect(again.stdout).toMatch(/: 6 jobs in .* \(0 ran, 6 fresh, 0 failed\)/);
  });

  it("resumes a killed sweep: only the unfinished jobs run", async () => {
    const project = tinyProject();
    const killed = await killAfter(project, [...sweep, "--jobs", "1"], 2);
    const done = [...killed.matchAll(/^ {2}job +(\d+)\/6 .* ran /gm)].map((m) => Number(m[1]));
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(6);
    const rerun = await mlbook(project, [...sweep, "--jobs", "1", "--json"]);
    expect(rerun.status, rerun.stderr).toBe(0);
    const json = JSON.parse(rerun.stdout) as SweepJson;
    const ran = new Set(ranSteps(json).map((s) => Number(s.split(":")[0])));
    // Jobs reported done are fresh; the job in flight at the kill may have stored its train step.
    for (const i of done) expect(ran.has(i)).toBe(false);
    expect(ran.size).toBeGreaterThanOrEqual(6 - done.length - 1);
    expect(ranSteps(json).filter((s) => s.endsWith(":train")).length).toBeGreaterThanOrEqual(
      6 - done.length - 1
    );
    expect(json.shared.every((s) => s.status === "fresh")).toBe(true);
    expect(results(json)).toEqual(results(reference));
  });

  it("refuses a sweep without -m, bad grammar (with a caret), bad jobs and too many jobs, before any work", async () => {
    const project = tinyProject();
    const noFlag = await mlbook(project, ["run", "model.params.C=0.1,1"]);
    expect(noFlag.status).toBe(2);
    expect(noFlag.stderr).toBe(
      "error: override model.params.C=0.1,1 is a sweep: add -m (--multirun) to run every job\n"
    );
    const grammar = await mlbook(project, ["run", "-m", "model.params.C=range(1,)"]);
    expect(grammar.status).toBe(2);
    expect(grammar.stderr).toBe(
      'error: invalid override "model.params.C=range(1,)": expected a value, got ")"\n  model.params.C=range(1,)\n                         ^\n'
    );
    const bad = await mlbook(project, ["run", "-m", "model.params.C=1,-1"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: 1 of 2 jobs have an invalid config; nothing ran\njob 2\/2 \(model\.params\.C=-1\): /
    );
    const many = await mlbook(project, [
      "run",
      "-m",
      "model.params.C=range(1,30)",
      "model.params.max_iter=range(10,100,10)",
      "--max-jobs",
      "200"
    ]);
    expect(many.status).toBe(2);
    expect(many.stderr).toMatch(/the sweep has 261 jobs, more than --max-jobs 200/);
    const status = JSON.parse((await mlbook(project, ["status", "--json"])).stdout) as {
      steps: {fresh: boolean}[];
    };
    expect(status.steps.some((s) => s.fresh)).toBe(false);
  });

  it("selects by the CV score, registers only the selected job, and records it as the sweep's winner", async () => {
    const project = tinyProject();
    appendFileSync(
      join(project, "mlbook.yaml"),
      `evaluate:\n  cv: {folds: 3, seed: 1}\nselection: {metric: f1_macro}\nregister:\n  name: tiny-model\n  criteria:\n    - {metric: f1_macro, threshold: 0.5}\n`
    );
    const run = await mlbook(project, ["run", "-m", "model.params.C=0.001,1,10", "--jobs", "2", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as SweepJson & {
      winner: {index: number; runId: string; metric: string; value: number; registerRunId: string};
    };
    // Jobs stop at evaluate; the winner is the best mean CV F1 on the training rows.
    for (const job of out.jobs) expect(job.steps.map((s) => s.name)).not.toContain("register");
    const cv = out.jobs.map((j) => j.metrics.cv_f1_macro);
    expect(out.winner.metric).toBe("cv_f1_macro");
    expect(out.winner.value).toBe(Math.max(...cv));
    expect(out.winner.index).toBe(out.jobs[cv.indexOf(Math.max(...cv))].index);
    expect(run.stderr).toMatch(/registered tiny-model v1/);

    const models = JSON.parse((await mlbook(project, ["models", "tiny-model", "--json"])).stdout) as {
      version: number;
      run_id: string;
    }[];
    expect(models.map((m) => [m.version, m.run_id])).toEqual([[1, out.winner.registerRunId]]);
    const sweeps = JSON.parse((await mlbook(project, ["sweeps", "--json"])).stdout) as {
      id: string;
      jobs: number;
      metric: string;
      best: {run: string; value: number};
      selected: boolean;
      register_run: string;
    }[];
    const runs = JSON.parse((await mlbook(project, ["runs", "--json"])).stdout) as {
      id: string;
      sweep_id: string | null;
      sweep_role: string | null;
    }[];
    expect(runs.find((r) => r.id === out.winner.registerRunId)).toMatchObject({
      sweep_id: out.sweepId,
      sweep_role: "winner"
    });
    const jobs = JSON.parse((await mlbook(project, ["runs", "--sweep", out.sweepId, "--json"])).stdout) as {
      id: string;
    }[];
    expect(jobs.map((j) => j.id).sort()).toEqual(out.jobs.map((j) => j.runId).sort());
    expect(sweeps.find((s) => s.id === out.sweepId)).toMatchObject({
      jobs: 3,
      metric: "cv_f1_macro",
      best: {run: out.winner.runId, value: out.winner.value},
      selected: true,
      register_run: out.winner.registerRunId
    });
  });
});
