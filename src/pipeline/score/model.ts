import {existsSync, readFileSync} from "node:fs";
import {basename, dirname, join} from "node:path";
import {sha256} from "../engine/hash.ts";
import type {Manifest} from "../engine/store.ts";
import type {Db, Prepared} from "../engine/db.ts";
import {specForBundle} from "../engine/model.ts";
import {workspaceModules, type ModuleSource} from "../engine/moduleSource.ts";
import {badTest, badValueError, columnTypes, POS, type ViewDefinition} from "../engine/replay.ts";
import {quoteIdent} from "../engine/sql.ts";
import {DataError} from "../errors.ts";
import {
  predictBundle,
  restoreEstimator,
  upgradeBundle,
  type ModelBundle,
  type Predictions
} from "../ml/bundle.ts";
import type {Table} from "../ml/table.ts";
import type {Estimator, ModelSpec} from "../ml/types.ts";
import {NON_FINITE, nonFiniteError, prepareFeatures, WARNINGS} from "./features.ts";
import {missingColumn, tableFromRows} from "./readForModel.ts";

/** One scored row: the prediction, each class's probability for a classifier, and any warnings. */
export interface PredictionRow {
  prediction: string | number;
  probabilities?: Record<string, number>;
  /** Rules training applied that this row breaks (`clean.filter: …`), or all inputs missing. */
  warnings?: string;
}

export interface Model {
  bundle: ModelBundle;
  /** The folder its workspace modules are found from (ModelOptions.base). */
  base: string;
  /** Where its workspace modules come from (ModelOptions.modules). */
  modules: ModuleSource;
  /**
   * Scores raw rows (as the model's signature lists their columns): the inference pipeline
   * replayed, then the model. An error names the column and row of a value that does not fit.
   */
  predict(rows: readonly Record<string, unknown>[]): Promise<PredictionRow[]>;
  /** Scores a column-major table of the model's features (after the pipeline): the fast path. */
  predictTable(table: Table): Predictions;
  /** Lets go of the model's database (it has one once it scored raw rows). */
  close(): void;
}

export interface ModelOptions {
  /** Where a workspace model's or step's module is found: the folder of the config that trained it. */
  base?: string;
  /** What names the model in errors (its file). */
  source?: string;
  /**
   * Where the workspace modules a bundle uses (its model's, its replayed steps') come from:
   * default, compiled from their sources under `base` (refused when changed since training).
   */
  modules?: ModuleSource;
  /** What the model says it corrected (clipped probabilities). */
  warn?: (message: string) => void;
}

/**
 * Loads a model bundle (the train step's model.json or an exported model) from a JSON file. A
 * workspace module it uses is found from `base` (default the working folder) and must be the code
 * it was trained with.
 */
export async function loadModel(path: string, options: ModelOptions = {}): Promise<Model> {
  let bundle: ModelBundle;
  try {
    const bytes = readFileSync(path);
    verifyChecksum(path, bytes);
    bundle = JSON.parse(bytes.toString("utf8")) as ModelBundle;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(
      `${path}: cannot read the model bundle (${error instanceof Error ? error.message : String(error)})`
    );
  }
  if (!bundle || !Array.isArray(bundle.signature) || !bundle.estimator)
    throw new DataError(`${path}: not a model bundle`);
  const base = options.base ?? process.cwd();
  return modelFromBundle(
    bundle,
    {...options, source: path, base},
    await specForBundle(bundle.estimator, options.modules ?? workspaceModules(base))
  );
}

/** A model from a bundle in memory; `spec` for a workspace model (see specForBundle). */
export function modelFromBundle(given: ModelBundle, options: ModelOptions = {}, spec?: ModelSpec): Model {
  if (!given || !Array.isArray(given.signature) || !given.estimator)
    throw new DataError(`${options.source ?? "model"}: not a model bundle`);
  const bundle = upgradeBundle(given);
  const source = options.source ?? "model";
  checkBundle(bundle, source);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  let estimator: Estimator;
  try {
    estimator = restoreEstimator(bundle, spec, {warn});
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(
      `${source}: invalid model bundle: estimator.state: ${error instanceof Error ? error.message : String(error)}`
    );
  }
  const base = options.base ?? process.cwd();
  const modules = options.modules ?? workspaceModules(base);
  let scorer: Promise<RowScorer> | undefined;
  const score = async (rows: readonly Record<string, unknown>[]): Promise<PredictionRow[]> => {
    if (!bundle.pipeline)
      return rowsOf(bundle, predictBundle(bundle, tableFromRows(bundle.features, rows), estimator));
    scorer ??= RowScorer.open(bundle, base, modules);
    const {table, warnings} = await (await scorer).features(rows);
    return rowsOf(bundle, predictBundle(bundle, table, estimator), warnings);
  };
  // Requests that arrive while a batch is scored wait and go together as the next one (the
  // database takes one batch at a time, and a batch of many rows costs little more than one).
  // Rows of one request never depend on another's — but a window reads the earlier rows of its
  // batch, so with windows each request is a batch of its own.
  const together = !bundle.pipeline?.stages.some((s) => s.kind === "window");
  const waiting: Waiting[] = [];
  let busy = false;
  const drain = async () => {
    busy = true;
    while (waiting.length) {
      const batch = takeBatch(waiting, together);
      if (batch.length === 1) {
        await score(batch[0].rows).then(batch[0].resolve, batch[0].reject);
        continue;
      }
      try {
        const out = await score(batch.flatMap((w) => w.rows));
        let at = 0;
        for (const w of batch) w.resolve(out.slice(at, (at += w.rows.length)));
      } catch {
        // Some request is bad: each alone, so an error names its own row.
        for (const w of batch) await score(w.rows).then(w.resolve, w.reject);
      }
    }
    busy = false;
  };
  return {
    bundle,
    base,
    modules,
    predictTable: (table) => predictBundle(bundle, table, estimator),
    predict(rows) {
      if (!rows.length) return Promise.resolve([]);
      // A column no row has is this request's error, before it meets any other.
      const missing = bundle.signature.find((s) => !rows.some((r) => s.name in r));
      if (missing) return Promise.reject(missingColumn(missing, Object.keys(rows[0])));
      return new Promise<PredictionRow[]>((resolve, reject) => {
        waiting.push({rows, resolve, reject});
        if (!busy) void drain();
      });
    },
    close() {
      void scorer?.then((s) => s.close());
      scorer = undefined;
    }
  };
}

/**
 * A bundle in a store entry (or an export) has its checksum in the manifest beside it: one that
 * does not match was changed after it was written — whatever its size and mtime say — and is
 * refused. A bundle with no manifest beside it (one a user wrote) has nothing to be checked against.
 */
function verifyChecksum(path: string, bytes: Buffer): void {
  const manifest = join(dirname(path), "manifest.json");
  if (!existsSync(manifest)) return;
  let want: unknown;
  try {
    want = (JSON.parse(readFileSync(manifest, "utf8")) as Manifest).files?.[basename(path)]?.sha256;
  } catch {
    throw new DataError(
      `${path}: the manifest beside it (${manifest}) is unreadable, so the bundle cannot be verified`
    );
  }
  if (want !== undefined && sha256(bytes) !== want)
    throw new DataError(
      `${path}: the model bundle fails its checksum (${manifest}): it changed after it was written — run the pipeline again to rebuild it (mlbook verify --fix finds every such entry)`
    );
}

/**
 * The parts of a bundle scoring relies on, checked before it scores (a bundle is a file anyone
 * can edit): a classifier's classes, the feature lists' lengths, the signature's names. The
 * estimator's own state is checked as it is restored (trees: see checkTree).
 */
function checkBundle(bundle: ModelBundle, source: string): void {
  const bad = (field: string, why: string): never => {
    throw new DataError(`${source}: invalid model bundle: ${field}: ${why}`);
  };
  if (bundle.task !== "classification" && bundle.task !== "regression")
    bad("task", `${JSON.stringify(bundle.task)} (expected classification or regression)`);
  if (bundle.task === "classification") {
    if (!Array.isArray(bundle.classes) || bundle.classes.length === 0)
      bad("classes", "a classifier lists its classes (found none)");
    if (bundle.classes.some((c) => typeof c !== "string")) bad("classes", "expected strings");
    if (new Set(bundle.classes).size !== bundle.classes.length) bad("classes", "a class is listed twice");
  }
  const names = (field: "signature" | "features", list: unknown) => {
    if (!Array.isArray(list) || list.some((c) => typeof (c as {name?: unknown})?.name !== "string"))
      bad(field, "expected a list of columns with names");
    const seen = new Set((list as {name: string}[]).map((c) => c.name));
    if (seen.size !== (list as unknown[]).length) bad(field, "a column is listed twice");
  };
  names("signature", bundle.signature);
  names("features", bundle.features);
  if (!Array.isArray(bundle.featureNames) || !Array.isArray(bundle.sourceColumn))
    bad("featureNames", "expected the model's feature names and their source columns");
  if (bundle.featureNames.length !== bundle.sourceColumn.length)
    bad(
      "sourceColumn",
      `${bundle.sourceColumn.length} entries for ${bundle.featureNames.length} feature names`
    );
}

interface Waiting {
  rows: readonly Record<string, unknown>[];
  resolve(rows: PredictionRow[]): void;
  reject(error: unknown): void;
}

/** The most rows a batch of several requests takes (one request alone may have more). */
const BATCH_ROWS = 8192;

/** The next batch: the first waiting request, and those after it while the batch has room. */
function takeBatch(waiting: Waiting[], together: boolean): Waiting[] {
  let n = 1;
  let rows = waiting[0].rows.length;
  while (together && n < waiting.length && rows + waiting[n].rows.length <= BATCH_ROWS)
    rows += waiting[n++].rows.length;
  return waiting.splice(0, n);
}

/** Predictions as row objects: labels for classes, probabilities by class, warnings when any. */
export function rowsOf(
  bundle: ModelBundle,
  {predicted, proba}: Predictions,
  warnings?: (string | null)[]
): PredictionRow[] {
  return Array.from(predicted, (p, i): PredictionRow => {
    const row: PredictionRow = proba
      ? {
          prediction: bundle.classes[p],
          probabilities: Object.fromEntries(bundle.classes.map((c, k) => [c, proba[k][i]]))
        }
      : {prediction: p};
    if (warnings?.[i]) row.warnings = warnings[i]!;
    return row;
  });
}

/**
 * Raw rows through the inference pipeline, in a database of the model's own. The pipeline's
 * views are prepared once over an empty table of the signature's columns, then inlined into one
 * prepared query whose input is the batch bound as parameters (a list of texts per column): a
 * batch costs one round trip, with the type check in the same query.
 */
class RowScorer {
  private constructor(
    private readonly db: Db,
    private readonly bundle: ModelBundle,
    private readonly query: Prepared
  ) {}

  static async open(bundle: ModelBundle, base: string, modules: ModuleSource): Promise<RowScorer> {
    const {openDb} = await import("../engine/db.ts");
    // Batches are small: one thread answers sooner, and leaves the other cores to the caller. The
    // rows come in through memory: the bundle's SQL reaches no file at all.
    const db = await openDb({threads: 1});
    try {
      const columns = [...bundle.signature.map((s) => `${quoteIdent(s.name)} VARCHAR`), `${POS} BIGINT`];
      await db.run(`CREATE TEMP TABLE ${INPUT} (${columns.join(", ")})`);
      const views: ViewDefinition[] = [];
      const features = await prepareFeatures(db, bundle, INPUT, {base, modules, views});
      const test = badTest(bundle.signature, await columnTypes(db, INPUT));
      const n = bundle.signature.length + 1;
      const rows = [
        ...bundle.signature.map((s, i) => `unnest($${i + 1}::VARCHAR[]) AS ${quoteIdent(s.name)}`),
        `unnest(range($${n}::BIGINT)) AS ${POS}`
      ];
      const ctes = [
        `${INPUT} AS (SELECT ${rows.join(", ")})`,
        ...views.map((v) => `${v.name} AS (${v.sql})`),
        `__mlbook_bad AS (SELECT ${POS} AS p, ${test ?? "NULL::VARCHAR[]"} AS what FROM ${INPUT})`
      ];
      const query = await db.prepare(
        `WITH ${ctes.join(",\n")}
         SELECT f.*, b.what AS ${BAD} FROM ${features} AS f LEFT JOIN __mlbook_bad AS b ON b.p = f.${POS}`
      );
      return new RowScorer(db, bundle, query);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async features(
    rows: readonly Record<string, unknown>[]
  ): Promise<{table: Table; warnings: (string | null)[]}> {
    const columns = this.bundle.signature.map((s) => rows.map((r) => text(r[s.name])));
    // In input order (sorting here is cheaper than in the query).
    const out = (await this.query.rows<Record<string, unknown>>([...columns, rows.length])).sort(
      (a, b) => Number(a[POS]) - Number(b[POS])
    );
    const bad = out.find((r) => r[BAD] !== null);
    if (bad) {
      const what = bad[BAD] as [string, string];
      const i = Number(bad[POS]);
      throw badValueError(this.bundle.signature, what, text(rows[i][what[0]]) ?? "", i + 1);
    }
    const odd = out.find((r) => r[NON_FINITE] !== null);
    if (odd) throw nonFiniteError(odd[NON_FINITE] as [string, string], Number(odd[POS]) + 1);
    return {
      table: tableFromRows(this.bundle.features, out),
      warnings: out.map((r) => (r[WARNINGS] as string | null) ?? null)
    };
  }

  close(): void {
    this.db.close();
  }
}

/** Each scored row's first bad value ([column, why]), from badTest. */
const BAD = "__mlbook_bad_value";
const INPUT = "__mlbook_rows";

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
