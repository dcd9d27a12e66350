/**
 * Sweeps on a Redis queue (Debian's redis-server) with 1, 2 and 3 `mlbook worker`s, each in its
 * own copy of the project with an empty store (a machine), sharing entries through an
 * S3-compatible store (s3rver), beside the same sweep run locally with --jobs 1: wall time,
 * per-job overhead against a local job, bytes moved, and equal results. Two sweeps: the 12-job
 * penguins forest sweep, and 8 boosting settings with 5-fold CV on 100k rows (where the jobs'
 * own work dominates). Each worker gets one thread (MLBOOK_THREADS=1): a worker stands for a
 * machine, and this machine has two cores.
 * Run: npm run bench -- distributed
 */
import {spawn, type ChildProcess} from "node:child_process";
import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {startRedis, startS3} from "../test/helpers/services.ts";
import {makeClassification} from "./data.ts";
import {repo} from "./projectCopy.ts";

const penguins = join(repo, "node_modules/vega-datasets/data/penguins.json");

/** A project folder with `config` and, for the boosting sweep, its 100k-row CSV. */
function project(config: string, csv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-dist-bench-"));
  writeFileSync(join(dir, "mlbook.yaml"), config);
  if (csv) writeFileSync(join(dir, "data.csv"), csv);
  return dir;
}

function boostingCsv(): string {
  const {X, y} = makeClassification(100_000, 10, {seed: 3});
  const head = [...X.cols.map((_, j) => `x${j}`), "label"].join(",");
  const lines = [head];
  for (let i = 0; i < X.rows; ++i) lines.push([...X.cols.map((c) => c[i].toFixed(6)), `c${y[i]}`].join(","));
  return `${lines.join("\n")}\n`;
}

const sweeps = [
  {
    title: "12-job penguins sweep (forest: 3 sizes × 4 max_features)",
    config: `name: penguins\ndata:\n  source: ${penguins}\n  target: Species\nclean:\n  na_values: ["."]\nsplit:\n  test_size: 0.2\n  seed: 42\nmodel:\n  type: logistic_regression\n`,
    csv: undefined as string | undefined,
    overrides: [
      "model.type=random_forest",
      "model.params.n_estimators=50,100,200",
      "model.params.max_features=range(1,5)"
    ]
  },
  {
    title: "8 boosting settings, 5-fold CV each, 100k × 10",
    config: `name: heavy\ndata:\n  source: data.csv\n  target: label\nsplit:\n  test_size: 0.2\n  seed: 1\nmodel:\n  type: hist_gradient_boosting\n  params: {max_iter: 40, seed: 0}\nevaluate:\n  cv: {folds: 5, seed: 0}\n`,
    csv: boostingCsv(),
    overrides: [
      "model.params.learning_rate=0.05,0.1",
      "model.params.max_leaf_nodes=15,31",
      "model.params.l2_regularization=0,1"
    ]
  }
];

interface Sweep {
  jobs: {overrides: string[]; status: string; durationMs: number; metrics: Record<string, number>}[];
  moved?: {bytesIn: number; bytesOut: number};
}

function mlbook(cwd: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(repo, "bin/mlbook.js"), ...args], {
    cwd,
    env: {...process.env, ...env},
    stdio: ["ignore", "pipe", "pipe"]
  });
}

function sweep(cwd: string, args: string[], env: Record<string, string>): Promise<{ms: number; json: Sweep}> {
  const t0 = performance.now();
  const child = mlbook(cwd, ["run", "-m", ...args, "--json"], env);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (err += d));
  return new Promise((ok, fail) =>
    child.on("close", (code) =>
      code === 0
        ? ok({ms: performance.now() - t0, json: JSON.parse(out) as Sweep})
        : fail(new Error(`exit ${code}: ${err}`))
    )
  );
}

/** Starts `n` workers, each in its own copy of the project, and waits until each says it listens. */
async function workers(n: number, files: () => string, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({length: n}, async () => {
      const child = mlbook(files(), ["worker", "--queue", env.MLBOOK_QUEUE], env);
      let out = "";
      await new Promise<void>((ok, fail) => {
        child.stdout!.on("data", (d: Buffer) => {
          out += d;
          if (out.includes("mlbook worker ")) ok();
        });
        child.on("exit", (code) => fail(new Error(`worker exited ${code}`)));
      });
      child.removeAllListeners("exit");
      return child;
    })
  );
}

const [redis, s3] = await Promise.all([startRedis(), startS3()]);
let failed = false;
try {
  for (const [n, s] of sweeps.entries()) {
    const files = () => project(s.config, s.csv);
    const local = await sweep(files(), [...s.overrides, "--jobs", "1"], {MLBOOK_THREADS: "1"});
    const rows: [string, number, Sweep][] = [["local, --jobs 1", local.ms, local.json]];
    const local2 = await sweep(files(), [...s.overrides, "--jobs", "2"], {});
    rows.push(["local, --jobs 2", local2.ms, local2.json]);
    for (const count of [1, 2, 3]) {
      // A bucket prefix of its own: every queued sweep starts from an empty shared store.
      const env = {
        ...s3.env,
        MLBOOK_REMOTE: `s3://team/bench-${n}-${count}`,
        MLBOOK_QUEUE: redis.url,
        MLBOOK_THREADS: "1"
      };
      const fleet = await workers(count, files, env);
      try {
        const queued = await sweep(files(), [...s.overrides, "--queue", redis.url], env);
        rows.push([`queue, ${count} worker${count === 1 ? "" : "s"}`, queued.ms, queued.json]);
      } finally {
        for (const w of fleet) w.kill("SIGKILL");
      }
    }
    const jobs = local.json.jobs.length;
    const metrics = (j: Sweep) => JSON.stringify(j.jobs.map((x) => [x.overrides, x.status, x.metrics]));
    console.log(`\n${s.title}: ${s.overrides.join(" ")}`);
    console.log(
      "| run | wall | vs local --jobs 1 | vs 1 worker | per-job overhead | moved (pulled / pushed) | same results |"
    );
    console.log("|---|---|---|---|---|---|---|");
    const oneWorker = rows.find(([name]) => name === "queue, 1 worker")![1];
    for (const [name, ms, json] of rows) {
      const queued = name.startsWith("queue");
      // Against a local job: (this sweep's wall − the local --jobs 1 wall) ÷ jobs, for one worker.
      const overhead = name === "queue, 1 worker" ? `${((ms - local.ms) / jobs / 1000).toFixed(2)} s` : "";
      const moved = json.moved
        ? `${(json.moved.bytesIn / 2 ** 20).toFixed(2)} / ${(json.moved.bytesOut / 2 ** 20).toFixed(2)} MiB`
        : "";
      const same = metrics(json) === metrics(local.json);
      if (!same) failed = true;
      console.log(
        `| ${name} | ${(ms / 1000).toFixed(1)} s | ${(local.ms / ms).toFixed(2)}× | ${queued ? `${(oneWorker / ms).toFixed(2)}×` : ""} | ${overhead} | ${moved} | ${same ? "yes" : "NO"} |`
      );
    }
    const two = oneWorker / rows.find(([name]) => name === "queue, 2 workers")![1];
    const overhead = (oneWorker - local.ms) / jobs / 1000;
    console.log(
      `per-job overhead ${overhead.toFixed(2)} s (target ≤ 0.3 s): ${overhead <= 0.3 ? "met" : "NOT met"}; ` +
        `2 workers ${two.toFixed(2)}× 1 worker` +
        (n === 1 ? ` (target ≥ 1.7×): ${two >= 1.7 ? "met" : "NOT met"}` : "")
    );
  }
} finally {
  await redis.stop();
  await s3.close();
}
if (failed) process.exitCode = 1;
