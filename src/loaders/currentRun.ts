import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {buildGraph, producerOf, type Graph, type Node} from "../pipeline/engine/graph.ts";
import {storeRoot, type LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {plan, type PlannedStep} from "../pipeline/engine/plan.ts";
import {runMetrics, runPipeline} from "../pipeline/engine/run.ts";
import type {RunLogger, RunResult} from "../pipeline/engine/runTypes.ts";
import {Store, type Entry} from "../pipeline/engine/store.ts";
import {withFileLock} from "../pipeline/engine/fileLock.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {headlineMetrics} from "../pipeline/ml/metrics/headline.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";
import {remoteHooks, remoteOf} from "../pipeline/remote/remoteHooks.ts";
import {trackingOf} from "../pipeline/tracking/trackingPath.ts";
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
  const graph = buildGraph(loaded);
  const store = new Store(storeRoot(loaded));
  const planned = await plan(graph);
  const tracking = trackingOf(loaded, storeRoot(loaded));
  const signature = planned
    .map((p) => `${p.node.name}:${p.key}`)
    .sort()
    .join(",");
  const find = async () => {
    const entries = await lookupAll(store, planned);
    if (!entries || loaded.config.from.length) return undefined;
    const detail = await withProject(tracking, async (tx) => {
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
  // Single flight: the loaders of every open page (separate processes) that find no run of
  // this config state take turns; the first runs the pipeline, the others wait for it and then
  // find its run. Builds and the preview make one run per change, not one per page.
  const found =
    (await find()) ??
    (await withFileLock(
      join(storeRoot(loaded), "locks", `run-${hashValue({pipeline: graph.name, signature})}.lock`),
      async () => {
        const made = await find();
        if (made) return made;
        // `mlbook dev` tells its loaders they serve the live preview: their runs register no model.
        const source = process.env.MLBOOK_RUN_SOURCE === "preview" ? "preview" : undefined;
        await runPipeline(loaded, {
          logger: stderrLogger,
          hooks: [...remoteHooks(remoteOf(loaded)), trackingHooks({source})]
        });
        return await find();
      },
      {wait: true}
    ));
  if (!found)
    throw new Error(`report: the run of pipeline ${graph.name} was not recorded in the tracking database`);
  const {entries, detail} = found;
  const metrics = await runMetrics(graph, entries);
  const stepInfo = new Map(detail.steps.map((s) => [s.step, s]));
  const result: RunResult = {
    runId: detail.run.id,
    pipeline: detail.run.pipeline,
    configDigest: detail.run.config_digest,
    startedAt: detail.run.started_at,
    durationMs: detail.run.duration_ms,
    steps: planned.map((p) => {
      const s = stepInfo.get(p.node.name);
      return {
        name: p.node.name,
        status: s?.status === "ran" ? "ran" : "fresh",
        key: p.key,
        reason: s?.reason ?? null,
        durationMs: s?.duration_ms ?? 0,
        rows: entries.get(p.node.name)!.manifest.tables
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
    const lookup = await store.lookup(p.node.name, p.key);
    if (lookup.status !== "ok") return undefined;
    entries.set(p.node.name, lookup.entry);
  }
  return entries;
}

/**
 * The store entry and output that hold an artifact, named as its step names it (`clean_data`,
 * `metrics`), or undefined when the pipeline has no step making it. Pages ask for what they show,
 * never for a step: a workspace step making the artifact serves the page as well.
 */
export function artifactOf(
  run: CurrentRun,
  artifact: string
): {node: Node; output: string; entry: Entry} | undefined {
  const made = producerOf(run.graph, artifact);
  const entry = made && run.entries.get(made.node.name);
  return made && entry ? {...made, entry} : undefined;
}

/** The stored file of an artifact (Parquet for a table, JSON otherwise), or undefined. */
export function artifactFile(run: CurrentRun, artifact: string): string | undefined {
  const found = artifactOf(run, artifact);
  if (!found) return undefined;
  const {entry, output} = found;
  if (output in entry.manifest.tables) return join(entry.dir, `${output}.parquet`);
  if (entry.manifest.json.includes(output)) return join(entry.dir, `${output}.json`);
  return undefined;
}

/** A JSON artifact's value, or undefined when the pipeline does not make it. */
export async function artifactJson<T>(run: CurrentRun, artifact: string): Promise<T | undefined> {
  const file = artifactFile(run, artifact);
  return file ? (JSON.parse(await readFile(file, "utf8")) as T) : undefined;
}
