import {existsSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import type {Table} from "apache-arrow";
import {openDb, type Db} from "../pipeline/engine/db.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {plainRows} from "../pipeline/engine/plainRows.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";
import {DataError} from "../pipeline/errors.ts";
import {loadModel, type Model} from "../pipeline/score/model.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {listRuns, runDetail} from "../pipeline/tracking/queries.ts";
import {artifactPath, resolveArtifact, resolveModelOrArtifact} from "../pipeline/tracking/resolve.ts";
import {trackedDigest} from "../pipeline/tracking/trackedDigest.ts";
import type {TrackingTx} from "../pipeline/tracking/trackingTx.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {staleBundleError} from "../pipeline/ml/threads/bundledEntry.ts";
import {artifactOf, currentRun, type CurrentRun} from "./currentRun.ts";
import {
  configSeen,
  currentSeen,
  isCurrent,
  loaderTarget,
  pageLoaderCode,
  seenNow,
  versionSeen,
  writeReadsRecord,
  type PageRead
} from "./pageReads.ts";
import {pipelineContext, type PipelineContext} from "./pipelineContext.ts";
import {runParams} from "./runParams.ts";

/** An artifact a page reads: where it is stored and what it is. */
export interface PageArtifact {
  /** The reference it was read by. */
  ref: string;
  /** Its tracked name (`cars/test_data`), or the bare name for the config's current artifact. */
  name: string;
  /** Its tracked version; null for the config's current artifact. */
  version: number | null;
  /** A table (stored as Parquet) or a JSON value (a report, metrics, a model bundle). */
  format: "table" | "json";
  /** The stored file: read it, never write it. */
  file: string;
}

/** A tracked run of the pipeline, as the Experiments page lists them. */
export interface PageRun {
  id: string;
  startedAt: string;
  status: string;
  durationMs: number;
  params: Record<string, unknown>;
  /** Its headline metrics. */
  metrics: Record<string, number>;
  sweepId: string | null;
}

/** One run in full: every metric, and the versions of the artifacts it made or used. */
export interface PageRunDetail extends PageRun {
  /** Versioned references by artifact name (`curves: "cars/curves:v2"`), for `json`, `rows` … */
  artifacts: Record<string, string>;
}

/**
 * What a page loader reads, through mlbook: the pipeline's artifacts (as the config makes them
 * now, or a tracked version), its runs and its models. Every read is recorded with what it found,
 * so `mlbook dev` and `mlbook build` make the loader's output again exactly when one of them
 * would find something else (see pageLoader).
 *
 * A reference is an artifact name as the pipeline's steps name it: `test_data` is the artifact as
 * the config makes it now (the pipeline runs first when a step is stale, as for mlbook's own
 * pages); `test_data:latest`, `test_data:v3`, `test_data@gold` are tracked versions, and
 * `flights/model:v1` another pipeline's.
 */
export interface PageData {
  /** The pipeline read: `pageLoader`'s option, else the loader's `--pipeline=`, else mlbook.yaml's. */
  readonly pipeline: string;
  /** The pipeline's config as written (its YAML as an object). */
  config(): Promise<Record<string, unknown>>;
  /** Where an artifact is stored, and whether it is a table or JSON. */
  artifact(ref: string): Promise<PageArtifact>;
  /** A JSON artifact's value (metrics, curves, importances, check_report …). */
  json<T = unknown>(ref: string): Promise<T>;
  /** A table artifact's rows as plain objects (64-bit integers as numbers); `limit` caps them. */
  rows(ref: string, options?: {limit?: number}): Promise<Record<string, unknown>[]>;
  /**
   * SQL (DuckDB's) over table artifacts, each a view named by `tables`' keys:
   * `query("SELECT * FROM t LIMIT 5", {t: "test_data"})`. Rows as `rows` gives them.
   */
  query(sql: string, tables: Record<string, string>): Promise<Record<string, unknown>[]>;
  /** A table artifact's Parquet file, byte for byte (a `.parquet` loader's output). */
  parquet(ref: string): Promise<Uint8Array>;
  /** A table artifact as an Apache Arrow table (for page-sized tables: it goes through rows). */
  arrow(ref: string): Promise<Table>;
  /** The pipeline's tracked runs, newest first, with params and headline metrics. */
  runs(options?: {limit?: number}): Promise<PageRun[]>;
  /** One tracked run: its params, every metric, its artifacts' versions. */
  run(id: string): Promise<PageRunDetail>;
  /**
   * A model to score rows with (`predict`): a registered one (`cars-model@champion`), a model
   * artifact's version (`model:v2`), or with no reference the config's current model.
   */
  model(ref?: string): Promise<Model>;
}

export interface PageLoaderOptions {
  /** The pipeline to read (default: the loader's `--pipeline=`, else the default config's). */
  pipeline?: string;
  /** Arguments (default: the process's); the project folder (default: the working folder). */
  argv?: readonly string[];
  root?: string;
  /** The loader's file (default: the script Node runs); its reads are recorded under its output's name. */
  loader?: string;
  /** Where the output goes (default: stdout). */
  write?: (output: string | Uint8Array) => Promise<void> | void;
}

/**
 * A page loader written with mlbook (`docs/data/….json.js`):
 *
 *     import {pageLoader} from "mlbook";
 *     await pageLoader(async (data) => ({runs: await data.runs({limit: 3})}));
 *
 * Runs `fn` on the pipeline's page data and writes what it returns as the loader's output:
 * bytes (`parquet`) or a string as they are, an Arrow table as Arrow IPC, anything else as JSON.
 * Its reads, and its code, are recorded beside Framework's cache: the preview and the build make
 * it again when either changed, and only then. When something it read changed while it ran, it
 * runs again (up to three times) rather than hand out a mix. On failure it prints `error: …`
 * and exits non-zero, writing nothing.
 */
export async function pageLoader(
  fn: (data: PageData) => Promise<unknown>,
  options: PageLoaderOptions = {}
): Promise<void> {
  const root = options.root ?? process.cwd();
  const argv = options.pipeline
    ? [`--pipeline=${options.pipeline}`]
    : (options.argv ?? process.argv.slice(2));
  const file = options.loader ?? process.argv[1];
  const write = options.write ?? writeStdout;
  try {
    const stale = staleBundleError();
    if (stale) throw new Error(stale);
    const target = file ? loaderTarget(root, file, options.argv ?? process.argv.slice(2)) : undefined;
    const code = target ? pageLoaderCode(file) : "";
    for (let attempt = 1; ; ++attempt) {
      const reader = new PageReader(await pipelineContext(argv, root));
      let value: unknown;
      try {
        value = await fn(reader);
      } finally {
        reader.close();
      }
      const now = await seenNow(root, reader.reads);
      if (attempt < 3 && reader.reads.some((r, i) => r.seen !== now[i])) {
        process.stderr.write("  what this loader read changed while it ran: running it again\n");
        continue;
      }
      await write(await outputOf(value));
      if (target) await writeReadsRecord(root, target, {code, reads: reader.reads});
      return;
    }
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

async function outputOf(value: unknown): Promise<string | Uint8Array> {
  if (value instanceof Uint8Array || typeof value === "string") return value;
  if (value && typeof value === "object" && "schema" in value && "batches" in value) {
    const {tableToIPC} = await import("apache-arrow");
    return tableToIPC(value as Table, "file");
  }
  // A function that returns nothing writes `null`: JSON, like any other output of a .json loader.
  return JSON.stringify(value) ?? "null";
}

function writeStdout(output: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(output, (e) => (e ? reject(e) : resolve())));
}

/** The page data of one pipeline, recording each read. */
class PageReader implements PageData {
  readonly reads: PageRead[] = [];
  private current?: Promise<CurrentRun>;
  private db?: Promise<Db>;

  constructor(private readonly context: PipelineContext) {}

  get pipeline(): string {
    return this.context.name;
  }

  close(): void {
    void this.db?.then((db) => db.close());
  }

  async config(): Promise<Record<string, unknown>> {
    const {loaded} = this.context;
    this.record("config", null, configSeen(loaded));
    return structuredClone(loaded.raw);
  }

  async artifact(ref: string): Promise<PageArtifact> {
    if (isCurrent(ref)) {
      const run = await this.currentRun();
      const found = artifactOf(run, ref);
      if (!found)
        throw new DataError(
          `pipeline ${this.pipeline} makes no artifact ${JSON.stringify(ref)} (its steps make: ${artifactNames(run).join(", ")})`
        );
      this.record("artifact", ref, currentSeen(run.graph, keysOf(run), ref));
      const {entry, output} = found;
      const format = output in entry.manifest.tables ? "table" : "json";
      return {
        ref,
        name: ref,
        version: null,
        format,
        file: join(entry.dir, `${output}.${format === "table" ? "parquet" : "json"}`)
      };
    }
    return this.tracked(async (tx, storeRoot) => {
      const row = await resolveArtifact(tx, ref, this.pipeline);
      this.record("artifact", ref, versionSeen(row));
      const parquet = artifactPath(storeRoot, row, "parquet");
      const format = existsSync(parquet) ? "table" : "json";
      const file = format === "table" ? parquet : artifactPath(storeRoot, row, "json");
      if (!existsSync(file))
        throw new DataError(
          `${ref}: ${row.name}:v${row.version} was collected by mlbook gc; run its pipeline again to rebuild it`
        );
      return {ref, name: row.name, version: row.version, format, file};
    });
  }

  async json<T = unknown>(ref: string): Promise<T> {
    const found = await this.artifact(ref);
    if (found.format !== "json")
      throw new DataError(`${ref} is a table: read it with rows(), query() or parquet()`);
    return JSON.parse(await readFile(found.file, "utf8")) as T;
  }

  async rows(ref: string, options: {limit?: number} = {}): Promise<Record<string, unknown>[]> {
    const limit = options.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
    return this.query(`SELECT * FROM t${limit}`, {t: ref});
  }

  async query(sql: string, tables: Record<string, string>): Promise<Record<string, unknown>[]> {
    // The SQL reads the stores' Parquet files (this pipeline's, and its tracking's) and nothing else.
    const stores = [storeRoot(this.context.loaded), projectTracking(this.context.loaded.path).root];
    const db = await (this.db ??= openDb({directories: [...new Set(stores)]}));
    for (const [view, ref] of Object.entries(tables)) {
      const found = await this.artifact(ref);
      if (found.format !== "table") throw new DataError(`${ref} is not a table: read it with json()`);
      await db.run(
        `CREATE OR REPLACE VIEW ${quoteIdent(view)} AS SELECT * FROM read_parquet(${quoteString(found.file)})`
      );
    }
    try {
      return await plainRows(db, sql);
    } catch (error) {
      throw new DataError(`query: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }

  async parquet(ref: string): Promise<Uint8Array> {
    const found = await this.artifact(ref);
    if (found.format !== "table") throw new DataError(`${ref} is not a table: read it with json()`);
    return new Uint8Array(await readFile(found.file));
  }

  async arrow(ref: string): Promise<Table> {
    const {tableFromJSON} = await import("apache-arrow");
    return tableFromJSON(await this.rows(ref));
  }

  async runs(options: {limit?: number} = {}): Promise<PageRun[]> {
    return this.tracked(async (tx) => {
      this.record("runs", null, await trackedDigest(tx, "runs", this.pipeline));
      const runs = (await listRuns(tx, {pipeline: this.pipeline})).slice(0, options.limit ?? Infinity);
      const params = await runParams(tx, this.pipeline);
      return runs.map((r) => ({
        id: r.id,
        startedAt: r.started_at,
        status: r.status,
        durationMs: Number(r.duration_ms),
        params: params.get(r.id) ?? {},
        metrics: r.metrics,
        sweepId: r.sweep_id
      }));
    });
  }

  async run(id: string): Promise<PageRunDetail> {
    return this.tracked(async (tx) => {
      const detail = await runDetail(tx, id);
      if (detail.run.pipeline !== this.pipeline)
        throw new DataError(`run ${id} is a run of pipeline ${detail.run.pipeline}, not ${this.pipeline}`);
      this.record("run", id, hashValue(detail));
      const artifacts: Record<string, string> = {};
      for (const a of detail.artifacts)
        artifacts[a.name.slice(a.name.indexOf("/") + 1)] = `${a.name}:v${a.version}`;
      const {run} = detail;
      return {
        id: run.id,
        startedAt: run.started_at,
        status: run.status,
        durationMs: Number(run.duration_ms),
        params: detail.params,
        metrics: detail.metrics,
        sweepId: run.sweep_id,
        artifacts
      };
    });
  }

  async model(ref?: string): Promise<Model> {
    const base = dirname(this.context.loaded.path);
    if (ref === undefined || isCurrent(ref)) {
      const found = await this.artifact(ref ?? "model");
      return loadModel(found.file, {base});
    }
    const file = await this.tracked(async (tx, storeRoot) => {
      const {artifact, name, version} = await resolveModelOrArtifact(tx, ref, this.pipeline);
      this.record("model", ref, versionSeen(artifact, name, version));
      return artifactPath(storeRoot, artifact, "json");
    });
    if (!existsSync(file))
      throw new DataError(
        `${ref}: its bundle was collected by mlbook gc; run its pipeline again to rebuild it`
      );
    return loadModel(file, {base});
  }

  private record(kind: PageRead["kind"], ref: string | null, seen: string): void {
    this.reads.push({kind, pipeline: this.pipeline, ref, seen});
  }

  private currentRun(): Promise<CurrentRun> {
    return (this.current ??= currentRun(this.context.loaded));
  }

  private tracked<T>(fn: (tx: TrackingTx, storeRoot: string) => Promise<T>): Promise<T> {
    const tracking = projectTracking(this.context.loaded.path);
    return withProject(tracking, (tx) => fn(tx, tracking.root));
  }
}

function keysOf(run: CurrentRun): Map<string, string> {
  return new Map(run.result.steps.map((s) => [s.name, s.key]));
}

function artifactNames(run: CurrentRun): string[] {
  return run.graph.nodes.flatMap((n) =>
    Object.entries(n.step.outputs).map(([output, spec]) => spec.artifact ?? `${n.name}_${output}`)
  );
}
