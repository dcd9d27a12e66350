import {readFile} from "node:fs/promises";
import {join} from "node:path";
import type {LoadedConfig} from "../pipeline/engine/config.ts";
import {buildGraph, type Graph} from "../pipeline/engine/graph.ts";
import {headlineMetrics} from "../pipeline/ml/metrics/headline.ts";
import {
  plan,
  runPipeline,
  storeRoot,
  type PlannedStep,
  type RunLogger,
  type RunResult
} from "../pipeline/engine/run.ts";
import {Store, type Entry} from "../pipeline/engine/store.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {runDetail, type RunDetail} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export interface CurrentRun {
  graph: Graph;
  result: RunResult;
  /** The tracking database's record of that run (params, artifacts). */
  detail: RunDetail;
  /** Each step's store entry, by step name. */
  entries: Map<string, Entry>;
}

/** Loader progress goes to stderr: stdout is the loader's output. */
const stderrLogger: RunLogger = {
  step: (s) => process.stderr.write(`  ${s.name} ${s.status === "fresh" ? "fresh" : `ran (${s.reason})`}\n`),
  progress() {},
  info: (m) => process.stderr.write(`  ${m}\n`)
};

/**
 * The run a page reports on: the newest tracked run whose step keys are the ones the config gives
 * now, so the page shows exactly what `mlbook show <run>` shows. The pipeline runs (stale steps
 * only, recording a run) when the store lacks a step or no tracked run matches — never otherwise,
 * so eight loaders reading one pipeline make no eight runs.
 */
export async function currentRun(loaded: LoadedConfig): Promise<CurrentRun> {
  const graph = buildGraph(loaded.config, loaded.path);
  const store = new Store(storeRoot(loaded));
  const planned = await plan(graph);
  const tracking = projectTracking(loaded.path);
  const find = async () => {
    const entries = await lookupAll(store, planned);
    if (!entries || loaded.config.from.length) return undefined;
    const detail = await withProject(tracking, async (tx) => {
      const signature = planned
        .map((p) => `${p.node.step.name}:${p.key}`)
        .sort()
        .join(",");
      const [match] = await tx.rows<{id: string}>(
        `SELECT s.run_id AS id FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.pipeline = ? AND r.status = 'ok'
         GROUP BY s.run_id, r.started_at HAVING string_agg(s.step || ':' || s.key, ',' ORDER BY s.step || ':' || s.key) = ?
         ORDER BY r.started_at DESC, s.run_id DESC LIMIT 1`,
        [graph.name, signature]
      );
      return match ? runDetail(tx, match.id) : undefined;
    });
    return detail ? {entries, detail} : undefined;
  };
  let found = await find();
  if (!found) {
    await runPipeline(loaded, {logger: stderrLogger});
    found = await find();
    if (!found)
      throw new Error(`report: the run of pipeline ${graph.name} was not recorded in the tracking database`);
  }
  const {entries, detail} = found;
  const evaluation = entries.get("evaluate");
  const metrics = evaluation
    ? (JSON.parse(await readFile(join(evaluation.dir, "metrics.json"), "utf8")) as Record<string, unknown>)
    : null;
  const stepInfo = new Map(detail.steps.map((s) => [s.step, s]));
  const result: RunResult = {
    runId: detail.run.id,
    pipeline: detail.run.pipeline,
    configDigest: detail.run.config_digest,
    startedAt: detail.run.started_at,
    durationMs: detail.run.duration_ms,
    steps: planned.map((p) => {
      const s = stepInfo.get(p.node.step.name);
      return {
        name: p.node.step.name,
        status: s?.status === "ran" ? "ran" : "fresh",
        key: p.key,
        reason: s?.reason ?? null,
        durationMs: s?.duration_ms ?? 0,
        rows: entries.get(p.node.step.name)!.manifest.tables
      };
    }),
    metrics,
    headline: metrics ? headlineMetrics(metrics) : {}
  };
  return {graph, result, detail, entries};
}

async function lookupAll(store: Store, planned: PlannedStep[]): Promise<Map<string, Entry> | undefined> {
  const entries = new Map<string, Entry>();
  for (const p of planned) {
    const lookup = await store.lookup(p.node.step.name, p.key);
    if (lookup.status !== "ok") return undefined;
    entries.set(p.node.step.name, lookup.entry);
  }
  return entries;
}

/** A JSON output of a step's entry, or undefined when the pipeline has no such step. */
export async function stepJson<T>(run: CurrentRun, step: string, name: string): Promise<T | undefined> {
  const entry = run.entries.get(step);
  if (!entry || !entry.manifest.json.includes(name)) return undefined;
  return JSON.parse(await readFile(join(entry.dir, `${name}.json`), "utf8")) as T;
}
