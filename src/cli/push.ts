import {readdir, readFile} from "node:fs/promises";
import {join, relative} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {plan} from "../pipeline/engine/plan.ts";
import {Store} from "../pipeline/engine/store.ts";
import {ConfigError, MlbookError} from "../pipeline/errors.ts";
import {remoteOf} from "../pipeline/remote/remoteHooks.ts";
import type {S3Remote} from "../pipeline/remote/s3Remote.ts";
import {historyDir} from "../pipeline/tracking/history.ts";
import {readPending, writePending} from "../pipeline/tracking/journal.ts";
import type {RunRecord} from "../pipeline/tracking/runRecord.ts";
import {runRecordSchema} from "../pipeline/tracking/runRecordSchema.ts";
import {trackingOf} from "../pipeline/tracking/trackingPath.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {DEFAULT_CONFIG, listPipelines} from "../site/pipelines.ts";

/**
 * `mlbook push`: copies every entry of the config's current plan that the local store holds to the
 * remote store (MLBOOK_REMOTE) unless the remote has it already — what a CI job runs after
 * `mlbook run` so that a teammate's run and build compute nothing. With `--run ID`: that run's
 * entries and its record, for a teammate's `mlbook pull --run ID`.
 */
export async function pushCommand(overrides: string[], options: PushOptions): Promise<void> {
  const {loaded, remote, store} = await remoteAndStore("push", overrides, options);
  const record = options.run ? await localRecord(storeRoot(loaded), options.run) : undefined;
  let pushed = 0;
  let bytes = 0;
  let missing = 0;
  for (const {name, key} of await entriesOf(loaded, record)) {
    const found = await store.lookup(name, key);
    if (found.status !== "ok") {
      ++missing;
      continue;
    }
    const sent = await remote.push(found.entry);
    if (sent) {
      ++pushed;
      bytes += sent;
      console.log(`  pushed ${name} ${key.slice(0, 12)} (${kib(sent)})`);
    } else console.log(`  ${name} ${key.slice(0, 12)} is there already`);
  }
  if (record) {
    const sent = await remote.putRecord(record.id, JSON.stringify(record));
    console.log(sent ? `  pushed run ${record.id}` : `  run ${record.id} is there already`);
  }
  console.log(
    `mlbook push ${loaded.config.name} (${relative(process.cwd(), loaded.path)}) → ${remote.url}: ${pushed} pushed, ${kib(bytes)}` +
      (missing
        ? `; ${missing} not in the local store (${record ? "removed by gc, or a step that failed" : "run the pipeline first"})`
        : "")
  );
}

/**
 * `mlbook pull`: copies every entry of the config's current plan that the local store lacks from
 * the remote store, each checked against its manifest — to work offline, or to look at a
 * teammate's results before running anything. With `--run ID`: a run a teammate pushed, its
 * entries and its record, which joins this project's tracking (its metrics, its artifact versions,
 * and its registration: a model it registered is registered here too).
 */
export async function pullCommand(overrides: string[], options: PushOptions): Promise<void> {
  let {loaded, remote, store} = await remoteAndStore("pull", overrides, options);
  let record: RunRecord | undefined;
  if (options.run) {
    const found = await remoteRecord(remote, options.run);
    // Without -c or -p the run says which pipeline it belongs to.
    const theirs = listPipelines(process.cwd())[found.pipeline];
    if (found.pipeline !== loaded.config.name && !options.config && !options.pipeline && theirs)
      ({loaded, remote, store} = await remoteAndStore("pull", overrides, {config: theirs}));
    if (found.pipeline !== loaded.config.name)
      throw new ConfigError(
        `pull --run: run ${options.run} is a run of ${found.pipeline}, not ${loaded.config.name}: pull it with -c and that pipeline's config`
      );
    record = found;
  }
  let pulled = 0;
  let bytes = 0;
  const absent: string[] = [];
  for (const {name, key} of await entriesOf(loaded, record)) {
    if ((await store.lookup(name, key)).status === "ok") continue;
    const got = await remote.pull(store, name, key);
    if (got.status === "pulled") {
      ++pulled;
      bytes += got.bytes;
      console.log(`  pulled ${name} ${key.slice(0, 12)} (${kib(got.bytes)})`);
    } else if (got.status === "refused") {
      absent.push(name);
      console.log(`  refused ${name} ${key.slice(0, 12)} (${got.reason})`);
    } else absent.push(name);
  }
  if (record) {
    const root = storeRoot(loaded);
    await writePending(root, record);
    // Opening the database writes the journal: the run, its versions, its registration.
    const [row] = await withProject(trackingOf(loaded, root), (tx) =>
      tx.rows<{note: string | null}>("SELECT note FROM runs WHERE id = ?", [record.id])
    );
    console.log(`  recorded run ${record.id}${row?.note ? `: ${row.note}` : ""}`);
  }
  console.log(
    `mlbook pull ${loaded.config.name} (${relative(process.cwd(), loaded.path)}) ← ${remote.url}: ${pulled} pulled, ${kib(bytes)}` +
      (absent.length
        ? `; not on the remote: ${absent.join(", ")} (${record ? "the run's pusher can mlbook push --run it" : "mlbook run makes them"})`
        : "")
  );
}

export interface PushOptions {
  /** The pipeline config (default: mlbook.yaml, or -p's). */
  config?: string;
  /** A pipeline of the workspace by name, instead of -c. */
  pipeline?: string;
  /** One run: its entries and its record. */
  run?: string;
}

/** The entries to move: a run's steps, or the config's current plan. */
async function entriesOf(
  loaded: Awaited<ReturnType<typeof loadConfig>>,
  record?: RunRecord
): Promise<{name: string; key: string}[]> {
  if (record) return record.steps.map((s) => ({name: s.name, key: s.key}));
  return (await plan(buildGraph(loaded))).map((p) => ({name: p.node.name, key: p.key}));
}

/** A run's record from this project's journal or tracking history (where every recorded run is). */
async function localRecord(root: string, id: string): Promise<RunRecord> {
  const pending = (await readPending(root)).find((p) => p.record.id === id);
  if (pending) return pending.record;
  const names = await readdir(historyDir(root)).catch(() => [] as string[]);
  const name = names.find((n) => n.endsWith(`-run-${id}.json`));
  if (name) {
    const event = JSON.parse(await readFile(join(historyDir(root), name), "utf8")) as {record: unknown};
    const parsed = runRecordSchema.safeParse(event.record);
    if (parsed.success) return parsed.data as unknown as RunRecord;
  }
  throw new ConfigError(`push --run: no run ${id} in ${root} (mlbook runs lists this project's runs)`);
}

/** A run's record from the remote, checked to be one. */
async function remoteRecord(remote: S3Remote, id: string): Promise<RunRecord> {
  const text = await remote.getRecord(id);
  if (text === undefined)
    throw new MlbookError(
      `pull --run: ${remote.url} has no run ${id} (its author can mlbook push --run ${id})`
    );
  let parsed;
  try {
    parsed = runRecordSchema.safeParse(JSON.parse(text));
  } catch (error) {
    parsed = {success: false as const, why: error instanceof Error ? error.message : String(error)};
  }
  if (!parsed.success) {
    const why = "error" in parsed ? parsed.error.issues[0].message : parsed.why;
    throw new MlbookError(`pull --run: the remote's record of run ${id} is not a run record (${why})`);
  }
  const record = parsed.data as unknown as RunRecord;
  if (record.id !== id)
    throw new MlbookError(`pull --run: the remote's record of run ${id} names run ${record.id}`);
  return record;
}

/** The config, its remote store (refused when none is set), its local store and its plan. */
async function remoteAndStore(verb: "push" | "pull", overrides: string[], options: PushOptions) {
  const loaded = await loadConfig(configFile(verb, options), overrides);
  const remote = remoteOf(loaded);
  if (!remote)
    throw new ConfigError(
      `${verb}: no remote store (set store.remote in the config, or MLBOOK_REMOTE=s3://bucket/prefix)`
    );
  return {loaded, remote, store: new Store(storeRoot(loaded))};
}

/** The config file: -c's, else -p's pipeline (mlbook.yaml or pipelines/*.yaml by name), else mlbook.yaml. */
function configFile(verb: string, options: PushOptions): string {
  if (options.config && options.pipeline) throw new ConfigError(`${verb}: give -c or -p, not both`);
  if (options.config || !options.pipeline) return options.config ?? DEFAULT_CONFIG;
  const pipelines = listPipelines(process.cwd());
  const file = pipelines[options.pipeline];
  if (!file)
    throw new ConfigError(
      `${verb}: no pipeline ${options.pipeline} here (pipelines: ${Object.keys(pipelines).join(", ") || "none"})`
    );
  return file;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
