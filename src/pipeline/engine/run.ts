import {readFile} from "node:fs/promises";
import {join, resolve} from "node:path";
import {headlineMetrics} from "../ml/metrics/headline.ts";
import type {Db} from "./db.ts";
import {execute} from "./execute.ts";
import {buildGraph, outputsOfType, upstreamClosure, upstreamOf, type Graph} from "./graph.ts";
import {hashValue} from "./hash.ts";
import type {Pin, RunContext, RunHooks, RunOutcome} from "./hooks.ts";
import {storeRoot, type LoadedConfig} from "./loadedConfig.ts";
import {plan, staleReason} from "./plan.ts";
import {cutAtPins, resolvePins, resolveReferences, withoutPinnedUpstream} from "./references.ts";
import {newRunId} from "./runId.ts";
import {silentLogger, type RunLogger, type RunResult, type StepRecord} from "./runTypes.ts";
import {runDag} from "./schedule.ts";
import {readState, writeState} from "./state.ts";
import {takeLease} from "./lease.ts";
import {Store, type Entry} from "./store.ts";

export interface RunOptions {
  /** Run only these steps (and whatever they need that the store lacks). */
  steps?: readonly string[];
  /** Folder holding `.mlbook/`; default: the config's folder. */
  root?: string;
  logger?: RunLogger;
  /** Add-ons: tracking, the preview, a remote store (see hooks.ts). */
  hooks?: readonly RunHooks[];
  /**
   * Keep this run's keys as the pipeline's state, what `mlbook status` and a stale step's reason
   * compare with (default true). A sweep's runs leave it: its jobs are variants, not the pipeline.
   */
  keepState?: boolean;
}

/** Builds the graph with the config's artifact references resolved through the hooks. */
export async function resolvedGraph(run: RunContext, hooks: readonly RunHooks[]): Promise<Graph> {
  return buildGraph(run.loaded, {artifacts: await resolveReferences(run, hooks)});
}

/**
 * Runs the pipeline: each step whose key has a valid store entry is fresh and reused; the others
 * run and are written atomically. One in-memory DuckDB carries tables between steps as views over
 * the stored Parquet files. Hooks see the run start, each step, and its end.
 */
export async function runPipeline(loaded: LoadedConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const logger = options.logger ?? silentLogger;
  const hooks = options.hooks ?? [];
  const run: RunContext = {loaded, root: storeRoot(loaded, options.root), logger};
  for (const hook of hooks) await hook.beforeRun?.(run);
  const store = new Store(run.root);
  // What killed runs left half written goes first (a live run's scratch is kept).
  await store.removeDeadScratch();
  const full = await resolvedGraph(run, hooks);
  const pins: Pin[] = (loaded.config.from as string[] | undefined)?.length
    ? await resolvePins(run, full, hooks)
    : [];
  const graph = cutAtPins(full, pins);
  const selected = new Set(
    (options.steps?.length ? upstreamClosure(graph, options.steps) : graph.nodes).map((n) => n.name)
  );
  const needed = pins.length
    ? withoutPinnedUpstream(graph, selected, new Set(pins.map((p) => p.step)))
    : selected;
  const planned = (await plan(graph, new Map(pins.map((p) => [p.step, p.key])))).filter((p) =>
    needed.has(p.node.name)
  );
  // Before any entry is looked up: the entries this run reads and writes are leased, so a gc
  // running meanwhile leaves them alone (lease.ts).
  const release = await takeLease(
    run.root,
    planned.map((p) => `${p.node.name}/${p.key}`)
  );
  try {
    const state = await readState(run.root, graph.name);
    // DuckDB loads lazily: a run where every step is fresh never needs it, and loading it is most
    // of a fresh run's time. Each running step gets its own connection to the one in-memory
    // database, so independent steps run at once (schedule.ts). It reaches the store and the
    // data files the steps name, no other file: config SQL cannot read or write elsewhere.
    let db: Promise<Db> | undefined;
    const access = {
      directories: ["store", "tmp"].map((d) => resolve(run.root, d)),
      files: planned.flatMap((p) => p.node.sources)
    };
    const openOnce = () => (db ??= import("./db.ts").then((m) => m.openDb(access)));
    const entries = new Map<string, Entry>();
    const records = new Map<string, StepRecord>();
    const ran = new Set<string>();
    const byName = new Map(planned.map((p) => [p.node.name, p]));
    // Steps are reported in plan order, whichever finished first (a data check beside split), so
    // the same run prints the same lines every time; a step's line waits for those before it.
    let reported = 0;
    const report = (all = false) => {
      for (; reported < planned.length; reported++) {
        const record = records.get(planned[reported]!.node.name);
        if (record) logger.step(record);
        else if (!all) break;
      }
    };
    const runStep = async (name: string): Promise<void> => {
      const p = byName.get(name)!;
      const t0 = performance.now();
      let lookup = await store.lookup(name, p.key);
      for (const hook of hooks) {
        if (lookup.status === "ok") break;
        if (await hook.fetchEntry?.(name, p.key, run)) lookup = await store.lookup(name, p.key);
      }
      let record: StepRecord;
      if (lookup.status === "ok") {
        entries.set(name, lookup.entry);
        record = {
          name,
          status: "fresh",
          key: p.key,
          reason: null,
          durationMs: performance.now() - t0,
          rows: lookup.entry.manifest.tables
        };
      } else {
        const why = lookup.status === "corrupt" ? `entry corrupt (${lookup.reason})` : "missing";
        const reason = staleReason(p.parts, state.steps[name], why, ran);
        const attempts = {count: 0};
        const connection = await (await openOnce()).connect();
        try {
          const entry = await execute(p, connection, store, entries, logger, graph.data, attempts);
          entries.set(name, entry);
          record = {
            name,
            status: "ran",
            key: p.key,
            reason,
            durationMs: performance.now() - t0,
            rows: entry.manifest.tables
          };
        } finally {
          connection.close();
        }
        ran.add(name);
        if (attempts.count > 1) record.attempts = attempts.count;
      }
      records.set(name, record);
      report();
      for (const hook of hooks) await hook.afterStep?.(record, run);
    };
    // Records in plan order, whichever step finished first.
    const inOrder = () => planned.flatMap((p) => records.get(p.node.name) ?? []);
    const finals = new Set(planned.filter((p) => p.node.step.final).map((p) => p.node.name));
    const outcome = (error: unknown, metrics: Record<string, unknown> | null): RunOutcome => ({
      ...run,
      runId: newRunId(),
      pipeline: graph.name,
      configDigest: hashValue(loaded.config),
      startedAt,
      durationMs: performance.now() - started,
      graph,
      steps: inOrder(),
      metrics,
      headline: metrics ? headlineMetrics(metrics) : {},
      pins,
      error
    });
    let result: RunOutcome;
    try {
      await runDag([...byName.keys()], (name) => upstreamOf(byName.get(name)!.node), runStep, {last: finals});
      if (options.keepState !== false) await writeState(run.root, graph.name, planned);
      result = outcome(null, await runMetrics(graph, entries));
    } catch (error) {
      report(true);
      await afterRun(hooks, outcome(error, null));
      throw error;
    } finally {
      if (db) (await db).close();
    }
    await afterRun(hooks, result);
    const {runId, pipeline, configDigest, durationMs, steps, metrics, headline} = result;
    return {runId, pipeline, configDigest, startedAt, durationMs, steps, metrics, headline};
  } finally {
    await release();
  }
}

/** Calls each hook's afterRun; a hook that fails is reported, never fails the run. */
async function afterRun(hooks: readonly RunHooks[], outcome: RunOutcome): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook.afterRun?.(outcome);
    } catch (error) {
      outcome.logger.info(`hook: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The run's metrics report: the JSON output of type `metrics`, when the run read or made it. */
export async function runMetrics(
  graph: Graph,
  entries: ReadonlyMap<string, Entry>
): Promise<Record<string, unknown> | null> {
  for (const {node, output} of outputsOfType(graph, "metrics")) {
    const entry = entries.get(node.name);
    if (entry?.manifest.json.includes(output))
      return JSON.parse(await readFile(join(entry.dir, `${output}.json`), "utf8")) as Record<string, unknown>;
  }
  return null;
}
