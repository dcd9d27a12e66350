import {availableParallelism} from "node:os";
import {relative, resolve} from "node:path";
import {ConfigError, MlbookError} from "../pipeline/errors.ts";
import {metricGoal} from "../pipeline/ml/metrics/index.ts";
import {builtinCatalog, loadConfig} from "../pipeline/builtins.ts";
import type {SelectionConfig} from "../pipeline/steps/evaluate.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {plan} from "../pipeline/engine/plan.ts";
import {artifactRefs} from "../pipeline/engine/references.ts";
import type {ArtifactVersion} from "../pipeline/engine/step.ts";
import {Store} from "../pipeline/engine/store.ts";
import {checkQueue} from "../pipeline/queue/jobQueue.ts";
import {startQueuePool} from "../pipeline/queue/queuePool.ts";
import {remoteHooks, remoteOf} from "../pipeline/remote/remoteHooks.ts";
import type {S3Remote} from "../pipeline/remote/s3Remote.ts";
import {storeRoot, type LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {isSweep, parseOverride} from "../pipeline/engine/overrideGrammar.ts";
import {runPipeline} from "../pipeline/engine/run.ts";
import {silentLogger, type RunLogger, type StepRecord} from "../pipeline/engine/runTypes.ts";
import {newRunId} from "../pipeline/engine/runId.ts";
import {composeSweep, declaredSweep, type ComposedSweep} from "../pipeline/sweep/compose.ts";
import {startPool, type JobReply, type Pool} from "../pipeline/sweep/pool.ts";
import type {SweepRole} from "../pipeline/tracking/runRecord.ts";
import {appendHistory} from "../pipeline/tracking/history.ts";
import {recordSweepWinner} from "../pipeline/tracking/recordSweepWinner.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";
import {trackingOf} from "../pipeline/tracking/trackingPath.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {formatDuration} from "./format.ts";
import {sweepWorkerEntry} from "./sweepWorkerEntry.ts";
import {mlbookVersion} from "./version.ts";
import {positiveInt} from "./positiveInt.ts";

export interface SweepOptions {
  config: string;
  json?: boolean;
  steps?: string;
  /** Worker processes; default: the number of cores. */
  jobs?: string;
  /** Refuse sweeps with more jobs; default 100. */
  maxJobs?: string;
  /** `redis://host:port`: run the jobs on `mlbook worker`s anywhere instead of local processes. */
  queue?: string;
}

/** Whether `mlbook run` should sweep: -m was given, or the config declares a sweep. */
export function wantsSweep(
  overrides: readonly string[],
  options: {config: string; multirun?: boolean}
): boolean {
  const parsed = overrides.map(parseOverride);
  if (options.multirun) return true;
  if (declaredSweep(resolve(options.config), parsed)) return true;
  const sweep = parsed.find((o) => isSweep(o.value));
  if (sweep)
    throw new ConfigError(
      `override ${overrides[parsed.indexOf(sweep)]} is a sweep: add -m (--multirun) to run every job`
    );
  return false;
}

/**
 * Runs a sweep: composes and validates every job first, runs the steps all jobs share once, here,
 * then the jobs in parallel worker processes, one progress line per job. Resume is free: a job
 * that finished before is fresh in the store, so rerunning a killed sweep runs only the rest.
 */
export async function sweepCommand(overrides: string[], options: SweepOptions): Promise<void> {
  if (options.steps) throw new ConfigError("--steps cannot be combined with a sweep (-m or a config sweep)");
  const workers = positiveInt(options.jobs, "--jobs") ?? availableParallelism();
  const maxJobs = positiveInt(options.maxJobs, "--max-jobs") ?? 100;
  if (options.queue) await checkQueue(options.queue);
  const started = performance.now();
  // A sweep id looks like a run id: its start time and 6 random hex digits.
  const sweepId = newRunId();
  // Workers start as soon as the job count is known: their start-up (Node, modules, DuckDB)
  // overlaps composing and validating the jobs and running the shared steps here.
  let workerPool: Pool | undefined;
  let pool = 0;
  let composed: ComposedSweep;
  try {
    composed = await composeSweep(options.config, overrides, {
      load: loadConfig,
      catalog: builtinCatalog,
      maxJobs,
      onExpanded(count) {
        if (options.queue) return;
        pool = Math.min(workers, count);
        // Each worker's fits get its share of the cores (boosting uses every core by default).
        const threads =
          process.env.MLBOOK_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / pool)));
        workerPool = startPool({workers: pool, entry: sweepWorkerEntry, env: {MLBOOK_THREADS: threads}});
      }
    });
  } catch (error) {
    workerPool?.close();
    throw error;
  }
  const {jobs, shared} = composed;
  const say = (line: string) => (options.json ? process.stderr.write(`${line}\n`) : console.log(line));
  const first = jobs[0].loaded;
  // On a queue, the jobs' workers share what they compute through the remote store.
  const remote = options.queue ? remoteOf(first) : undefined;
  if (options.queue && !remote)
    throw new ConfigError(
      "--queue: the workers need a shared store (set store.remote in the config, or MLBOOK_REMOTE=s3://bucket/prefix)"
    );
  const where = options.queue ? `on the queue ${options.queue}` : `${pool} worker${pool === 1 ? "" : "s"}`;
  say(
    `mlbook sweep ${sweepId}: ${jobs.length} job${jobs.length === 1 ? "" : "s"} of ${first.config.name} (${relative(process.cwd(), first.path)}), ${where}`
  );

  // The shared steps' run waits in the journal with the jobs' runs: the database is not opened on
  // the way to the jobs (finished jobs' runs go in while the last ones run, the rest at the end).
  let sharedSteps: StepRecord[] = [];
  try {
    if (shared.length)
      sharedSteps = (
        await runPipeline(first, {
          steps: shared,
          hooks: [...remoteHooks(remote), ...sweepHooks(sweepId, "shared")],
          keepState: false
        })
      ).steps;
    // Shared steps fresh here may be missing on the remote: the workers would compute them again.
    if (remote) await pushFresh(remote, storeRoot(first), sharedSteps);
  } catch (error) {
    workerPool?.close();
    throw error;
  }
  if (sharedSteps.length) say(`  shared  ${sharedSteps.map((s) => `${s.name} ${s.status}`).join(", ")}`);

  const varying = varyingOverrides(jobs.map((j) => j.overrides));
  const width = String(jobs.length).length;
  const label = new Map(jobs.map((j) => [j.index, varying(j.overrides)]));
  const labelWidth = Math.min(60, Math.max(...[...label.values()].map((l) => l.length)));
  // Jobs stop short of final steps (register): only the selected job runs them, below.
  const nodes = buildGraph(first).nodes;
  const finals = nodes.some((n) => n.step.final);
  const jobSteps = finals ? nodes.filter((n) => !n.step.final).map((n) => n.name) : undefined;
  const resolvedRefs = new Map<string, Promise<ArtifactVersion>>();
  const queuePool =
    options.queue && remote
      ? startQueuePool({
          url: options.queue,
          remote: remote.url,
          root: storeRoot(first),
          cwd: process.cwd(),
          sweepId,
          mlbook: mlbookVersion,
          say
        })
      : undefined;
  // Finished jobs' runs reach the database while the last ones run: the end waits only for the last.
  const flushing = backgroundFlush(first);
  let finished = 0;
  const replies = await (queuePool ?? workerPool!).run(
    await Promise.all(
      jobs.map(async (j) => ({
        index: j.index,
        config: j.loaded.path,
        overrides: j.overrides,
        steps: jobSteps,
        sweepId,
        keys: queuePool ? await plannedKeys(j.loaded, jobSteps) : undefined,
        artifacts: remote ? await resolvedArtifacts(j.loaded, remote, resolvedRefs) : undefined
      }))
    ),
    (reply) => {
      say(progressLine(reply, jobs.length, width, label.get(reply.index)!.padEnd(labelWidth)));
      // Once no job waits for a worker, each one that ends frees a core: the finished jobs' runs
      // go to the database there (on a queue, this machine runs no job: from the first).
      if (reply.ok && (queuePool || ++finished > jobs.length - pool)) flushing.soon();
    }
  );
  await flushing.done();

  const failed = replies.filter((r) => !r.ok);
  const ok = replies.filter((r): r is Extract<JobReply, {ok: true}> => r.ok);
  const best = bestJob(ok, first.config.selection as SelectionConfig | undefined);
  // The selected job (already fitted on all training rows and scored once on the test split)
  // runs the final steps (register): its other steps are all fresh, so only those run.
  let registerRunId: string | null = null;
  if (best && finals) {
    const winner = jobs.find((j) => j.index === best.index)!;
    const logger: RunLogger = {step() {}, progress() {}, info: (message: string) => say(`  ${message}`)};
    registerRunId = (
      await runPipeline(winner.loaded, {
        logger,
        hooks: [...remoteHooks(remote), ...sweepHooks(sweepId, "winner")],
        keepState: false
      })
    ).runId;
  }
  // Jobs only journal their runs (no lock contention between workers); this process writes them
  // to the tracking database (most already while the last jobs ran), with the sweep's winner.
  await flushJournal(first, best && {sweepId, ...best, registerRunId})
    .then((note) => note && say(`  ${note}`))
    .catch((error: unknown) =>
      say(`  tracking: runs wait in the journal (${error instanceof Error ? error.message : error})`)
    );
  const durationMs = performance.now() - started;
  if (options.json) {
    const out = {
      sweepId,
      pipeline: first.config.name,
      durationMs,
      shared: sharedSteps,
      jobs: replies.map((r, i) => ({
        index: r.index,
        overrides: jobs[i].overrides,
        ...(r.ok
          ? {status: "ok", runId: r.runId, durationMs: r.durationMs, steps: r.steps, metrics: r.headline}
          : {status: "failed", error: r.message}),
        ...(r.worker ? {worker: r.worker, bytesIn: r.bytesIn, bytesOut: r.bytesOut} : {})
      })),
      winner: best ? {...best, registerRunId} : null,
      ...(queuePool ? {queue: options.queue, moved: queuePool.moved()} : {})
    };
    console.log(JSON.stringify(out, null, 2));
  } else {
    const ran = ok.filter((r) => r.steps.some((s) => s.status === "ran")).length;
    const parts = [`${ran} ran`, `${ok.length - ran} fresh`, `${failed.length} failed`];
    say(`sweep ${sweepId}: ${jobs.length} jobs in ${formatDuration(durationMs)} (${parts.join(", ")})`);
    if (queuePool) {
      const {bytesIn, bytesOut} = queuePool.moved();
      const on = new Set(replies.map((r) => r.worker).filter(Boolean)).size;
      say(`  ${on} worker${on === 1 ? "" : "s"} pulled ${mib(bytesIn)} and pushed ${mib(bytesOut)}`);
    }
    if (best)
      say(`  best ${best.metric} ${best.value.toFixed(4)}: job ${best.index} ${label.get(best.index)}`);
  }
  if (failed.length)
    throw new MlbookError(
      `${failed.length} of ${jobs.length} sweep jobs failed`,
      Math.max(...failed.map((f) => (f.ok ? 1 : f.exitCode)))
    );
}

/**
 * Tracking for a run in this process that is part of the sweep: its record carries the sweep id
 * and `role`, and waits in the journal for the sweep's one write to the database at its end.
 */
function sweepHooks(sweepId: string, role: SweepRole) {
  return [trackingHooks({sweep: {id: sweepId, role}, journalOnly: true})];
}

function progressLine(reply: JobReply, total: number, width: number, label: string): string {
  const head = `  job ${String(reply.index).padStart(width)}/${total}  ${label}`;
  if (!reply.ok) return `${head}  failed: ${reply.message.split("\n")[0]}`;
  const status = reply.steps.some((s) => s.status === "ran") ? "ran  " : "fresh";
  const [metric, value] = Object.entries(reply.headline)[0] ?? [];
  const score = metric ? `${metric} ${value.toFixed(4)}` : "";
  const on = reply.worker ? `  on ${reply.worker}` : "";
  return `${head}  ${status}  ${score}  ${formatDuration(reply.durationMs).padStart(8)}${on}`.trimEnd();
}

/** The keys of the steps a job runs (all steps, or `only`), for a queue worker to check its plan against. */
async function plannedKeys(loaded: LoadedConfig, only?: readonly string[]): Promise<Record<string, string>> {
  const planned = await plan(buildGraph(loaded));
  return Object.fromEntries(
    planned.filter((p) => !only || only.includes(p.node.name)).map((p) => [p.node.name, p.key])
  );
}

/**
 * A queued job's artifact references (`from:` pins, a drift reference) resolved by this project's
 * tracking — a worker has none to ask — with their entries sent to the remote for the worker to
 * pull. `cache` spares the jobs of one sweep (planned at once) resolving the same reference again.
 */
async function resolvedArtifacts(
  loaded: LoadedConfig,
  remote: S3Remote,
  cache: Map<string, Promise<ArtifactVersion>>
): Promise<Record<string, ArtifactVersion>> {
  const out: Record<string, ArtifactVersion> = {};
  const root = storeRoot(loaded);
  const resolve = async (ref: string): Promise<ArtifactVersion> => {
    const found = await trackingHooks().resolveArtifact!(ref, {loaded, root, logger: silentLogger});
    if (!found) throw new ConfigError(`invalid reference ${ref}`);
    const entry = await new Store(root).lookup(found.step, found.key);
    if (entry.status !== "ok")
      throw new ConfigError(
        `invalid reference ${ref}: ${found.name}:v${found.version}'s store entry is not here (collected by gc)`
      );
    await remote.push(entry.entry);
    return found;
  };
  for (const ref of artifactRefs(loaded)) {
    if (!cache.has(ref)) cache.set(ref, resolve(ref));
    out[ref] = await cache.get(ref)!;
  }
  return out;
}

/** Sends the entries of steps that were fresh here to the remote, unless it has them. */
async function pushFresh(remote: S3Remote, root: string, steps: readonly StepRecord[]): Promise<void> {
  const store = new Store(root);
  for (const step of steps) {
    if (step.status !== "fresh") continue;
    const found = await store.lookup(step.name, step.key);
    if (found.status === "ok") await remote.push(found.entry);
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/**
 * The best job. With `selection` in the config, by its metric's cross-validated mean on the
 * training rows (cv_<metric>), or on the validation split (val_<metric>, `selection.on:
 * validation`) — selecting on the test split would leak it into the choice; the
 * winner's test metrics are then its one evaluation on held-out rows. Without it, by the first
 * headline metric (accuracy, or r2), higher is better.
 */
export function bestJob(
  replies: Extract<JobReply, {ok: true}>[],
  selection?: {metric: string; goal?: "maximize" | "minimize"; on?: "cv" | "validation"}
): {index: number; runId: string; metric: string; value: number} | undefined {
  let best: {index: number; runId: string; metric: string; value: number} | undefined;
  const goal = selection
    ? (selection.goal ?? (metricGoal(selection.metric) === "max" ? "maximize" : "minimize"))
    : "maximize";
  const sign = goal === "maximize" ? 1 : -1;
  for (const r of replies) {
    const held = selection?.on === "validation" ? "val" : "cv";
    const [metric, value] = selection
      ? [`${held}_${selection.metric}`, r.headline[`${held}_${selection.metric}`]]
      : (Object.entries(r.headline)[0] ?? []);
    if (
      metric &&
      value !== undefined &&
      Number.isFinite(value) &&
      (!best || sign * value > sign * best.value)
    )
      best = {index: r.index, runId: r.runId, metric, value};
  }
  return best;
}

/** Labels each job by the overrides that differ between jobs; the common ones are noise. */
function varyingOverrides(all: string[][]): (overrides: string[]) => string {
  const common = new Set(all[0].filter((o) => all.length > 1 && all.every((job) => job.includes(o))));
  return (overrides) => overrides.filter((o) => !common.has(o)).join(" ") || "(no overrides)";
}

/**
 * Writes the journaled runs of finished jobs to the tracking database while the sweep goes on: at
 * most one write at a time, and one more asked for while it runs takes every run journaled by then.
 * A failed write leaves the runs in the journal for the sweep's final write.
 */
function backgroundFlush(loaded: LoadedConfig): {soon(): void; done(): Promise<void>} {
  let running: Promise<void> | undefined;
  let again = false;
  const write = (): Promise<void> =>
    withProject(trackingOf(loaded, storeRoot(loaded)), async () => undefined)
      .catch(() => undefined)
      .then(() => {
        if (!again) return;
        again = false;
        return write();
      });
  return {
    soon() {
      if (running) again = true;
      else running = write().finally(() => (running = undefined));
    },
    done: () => running ?? Promise.resolve()
  };
}

/**
 * Writes journaled runs to the tracking database (opening it ingests the journal) with the
 * sweep's winner; returns the note of the winner's registration.
 */
async function flushJournal(
  loaded: LoadedConfig,
  winner?: {sweepId: string; runId: string; metric: string; value: number; registerRunId: string | null}
): Promise<string | null> {
  const root = storeRoot(loaded);
  return withProject(trackingOf(loaded, root), async (tx) => {
    if (!winner) return null;
    await recordSweepWinner(tx, winner);
    await appendHistory(root, [{kind: "sweep_winner", ...winner}]);
    // Versions are numbered when runs reach the database: the registration's note says which.
    if (!winner.registerRunId) return null;
    const [row] = await tx.rows<{note: string | null}>("SELECT note FROM runs WHERE id = ?", [
      winner.registerRunId
    ]);
    return row?.note ?? null;
  });
}
