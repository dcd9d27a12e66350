import {ConfigError} from "../errors.ts";
import {lowerIsBetter} from "../ml/metrics/headline.ts";
import type {TrackingTx} from "./trackingTx.ts";
import type {ArtifactRow} from "./resolve.ts";

export interface RunRow {
  id: string;
  pipeline: string;
  config_digest: string;
  git_commit: string | null;
  started_at: string;
  ended_at: string;
  status: string;
  error: string | null;
  note: string | null;
  duration_ms: number;
  sweep_id: string | null;
  /** 'job', 'shared' or 'winner' (see SweepRole); null outside sweeps and before roles. */
  sweep_role: string | null;
  /** "preview" for a run of the live preview. */
  source: string | null;
}

export interface RunSummary extends RunRow {
  metrics: Record<string, number>;
}

export interface ListRunsOptions {
  pipeline?: string;
  /** Only the jobs of this sweep (an id or a unique prefix): not its shared-steps or register run. */
  sweep?: string;
  /** Sort by this metric, best first (smallest first for losses and errors). Default: newest first. */
  sort?: string;
  limit?: number;
}

const runColumns = `id, pipeline, config_digest, git_commit, started_at::VARCHAR AS started_at, ended_at::VARCHAR AS ended_at,
  status, error, note, epoch_ms(ended_at) - epoch_ms(started_at) AS duration_ms, sweep_id, sweep_role, source`;

export async function listRuns(tx: TrackingTx, options: ListRunsOptions = {}): Promise<RunSummary[]> {
  const conditions: string[] = [];
  const values: string[] = [];
  if (options.pipeline) {
    conditions.push("pipeline = ?");
    values.push(options.pipeline);
  }
  if (options.sweep) {
    // A register run recorded before roles has none: sweep_winners names it.
    conditions.push(
      `starts_with(sweep_id, ?) AND coalesce(sweep_role, 'job') = 'job'
       AND id NOT IN (SELECT register_run_id FROM sweep_winners WHERE register_run_id IS NOT NULL)`
    );
    values.push(options.sweep);
  }
  const where = conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
  const runs = await tx.rows<RunRow>(
    `SELECT ${runColumns} FROM runs ${where} ORDER BY started_at DESC, id DESC`,
    values
  );
  const metrics = await tx.rows<{run_id: string; key: string; value: number}>(
    "SELECT run_id, key, value FROM metrics WHERE step IS NULL"
  );
  const byRun = new Map<string, Record<string, number>>();
  for (const m of metrics) (byRun.get(m.run_id) ?? byRun.set(m.run_id, {}).get(m.run_id)!)[m.key] = m.value;
  return orderRuns(
    runs.map((r) => ({...r, metrics: byRun.get(r.id) ?? {}})),
    options
  );
}

/** Runs (newest first) sorted by a metric, best first, and cut to a limit, as ListRunsOptions say. */
export function orderRuns(
  runs: RunSummary[],
  options: Pick<ListRunsOptions, "sort" | "limit">
): RunSummary[] {
  let out = runs;
  const sort = options.sort;
  if (sort) {
    if (out.length && !out.some((r) => sort in r.metrics)) {
      const known = [...new Set(out.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !k.includes("."));
      throw new ConfigError(`invalid --sort: ${JSON.stringify(sort)} (expected one of ${known.join(", ")})`);
    }
    const sign = lowerIsBetter.has(sort) ? 1 : -1;
    const value = (r: RunSummary) => r.metrics[sort] ?? NaN;
    out = out.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      return sign * (x - y);
    });
  }
  return options.limit ? out.slice(0, options.limit) : out;
}

/** A run by id or unique id prefix; `latest` is the newest run. */
export async function findRun(tx: TrackingTx, id: string): Promise<RunRow> {
  const rows =
    id === "latest"
      ? await tx.rows<RunRow>(`SELECT ${runColumns} FROM runs ORDER BY started_at DESC, id DESC LIMIT 1`)
      : await tx.rows<RunRow>(`SELECT ${runColumns} FROM runs WHERE starts_with(id, ?) ORDER BY id LIMIT 6`, [
          id
        ]);
  if (!rows.length) throw new ConfigError(`no run ${JSON.stringify(id)} (see mlbook runs)`);
  if (rows.length > 1 && rows[0].id !== id) {
    throw new ConfigError(`run ${JSON.stringify(id)} is ambiguous: ${rows.map((r) => r.id).join(", ")}`);
  }
  return rows[0];
}

export interface RunDetail {
  run: RunRow;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  curves: {key: string; step: number; value: number}[];
  steps: {step: string; key: string; status: string; reason: string | null; duration_ms: number}[];
  artifacts: {name: string; version: number; type: string; rows: number | null; bytes: number}[];
}

export async function runDetail(tx: TrackingTx, id: string): Promise<RunDetail> {
  const run = await findRun(tx, id);
  const params = await tx.rows<{key: string; value: string}>(
    "SELECT key, value FROM params WHERE run_id = ? ORDER BY key",
    [run.id]
  );
  const metrics = await tx.rows<{key: string; value: number; step: number | null}>(
    "SELECT key, value, step FROM metrics WHERE run_id = ? ORDER BY step NULLS FIRST, rowid",
    [run.id]
  );
  const steps = await tx.rows<RunDetail["steps"][number]>(
    "SELECT step, key, status, reason, duration_ms FROM run_steps WHERE run_id = ? ORDER BY rowid",
    [run.id]
  );
  const artifacts = await tx.rows<RunDetail["artifacts"][number]>(
    `SELECT a.name, a.version, a.type, a.rows, a.bytes FROM run_artifacts r JOIN artifacts a USING (name, version)
     WHERE r.run_id = ? ORDER BY a.created_at, a.name`,
    [run.id]
  );
  return {
    run,
    params: Object.fromEntries(params.map((p) => [p.key, JSON.parse(p.value) as unknown])),
    metrics: Object.fromEntries(metrics.filter((m) => m.step === null).map((m) => [m.key, m.value])),
    curves: metrics.filter((m) => m.step !== null).map((m) => ({key: m.key, step: m.step!, value: m.value})),
    steps,
    artifacts
  };
}

export interface Diff {
  a: RunRow;
  b: RunRow;
  params: {key: string; a: unknown; b: unknown; changed: boolean}[];
  metrics: {key: string; a: number | null; b: number | null; delta: number | null}[];
}

/** Params and metrics of two runs side by side: params that differ first, metric deltas b − a. */
export async function diffRuns(tx: TrackingTx, idA: string, idB: string): Promise<Diff> {
  const [a, b] = [await runDetail(tx, idA), await runDetail(tx, idB)];
  const keys = (x: object, y: object) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const params = keys(a.params, b.params).map((key) => {
    const [va, vb] = [a.params[key], b.params[key]];
    return {key, a: va, b: vb, changed: JSON.stringify(va) !== JSON.stringify(vb)};
  });
  const metrics = keys(a.metrics, b.metrics).map((key) => {
    const [va, vb] = [a.metrics[key] ?? null, b.metrics[key] ?? null];
    return {key, a: va, b: vb, delta: va === null || vb === null ? null : vb - va};
  });
  return {
    a: a.run,
    b: b.run,
    params: [...params.filter((p) => p.changed), ...params.filter((p) => !p.changed)],
    metrics
  };
}

export interface ArtifactSummary {
  name: string;
  type: string;
  versions: number;
  latest: number | null;
  aliases: string;
  bytes: number;
}

export async function listArtifacts(tx: TrackingTx): Promise<ArtifactSummary[]> {
  return tx.rows<ArtifactSummary>(
    `SELECT a.name, any_value(a.type) AS type, count(*)::INTEGER AS versions,
       (SELECT version FROM aliases l WHERE l.name = a.name AND l.alias = 'latest') AS latest,
       coalesce((SELECT string_agg(alias || ':v' || version, ' ' ORDER BY alias) FROM aliases l WHERE l.name = a.name), '') AS aliases,
       sum(a.bytes)::BIGINT AS bytes
     FROM artifacts a GROUP BY a.name ORDER BY min(a.created_at), a.name`
  );
}

export interface ArtifactVersion extends ArtifactRow {
  aliases: string;
  /** The pipeline whose run made the version. */
  pipeline: string | null;
}

/** The versions of an artifact (its name as tracked, `pipeline/name`), oldest first. */
export async function artifactVersions(tx: TrackingTx, name: string): Promise<ArtifactVersion[]> {
  const rows = await tx.rows<ArtifactVersion>(
    `SELECT a.* REPLACE (a.created_at::VARCHAR AS created_at, a.collected_at::VARCHAR AS collected_at),
       coalesce((SELECT string_agg(alias, ' ' ORDER BY alias) FROM aliases l WHERE l.name = a.name AND l.version = a.version), '') AS aliases,
       (SELECT r.pipeline FROM runs r WHERE r.id = a.run_id) AS pipeline
     FROM artifacts a WHERE name = ? ORDER BY version`,
    [name]
  );
  if (!rows.length) {
    const names = (await tx.rows<{name: string}>("SELECT DISTINCT name FROM artifacts ORDER BY name")).map(
      (r) => r.name
    );
    throw new ConfigError(`no artifact named ${JSON.stringify(name)} (have: ${names.join(", ") || "none"})`);
  }
  return rows;
}

export interface LineageNode {
  name: string;
  version: number;
  type: string;
  key: string;
  children: LineageNode[];
}

/** The artifacts a version was computed from (direction "up") or that were computed from it ("down"), as a tree. */
export async function lineage(
  tx: TrackingTx,
  name: string,
  version: number,
  direction: "up" | "down" = "up"
): Promise<LineageNode> {
  const edges = await tx.rows<{
    name: string;
    version: number;
    upstream_name: string;
    upstream_version: number;
  }>("SELECT * FROM lineage");
  const info = new Map(
    (
      await tx.rows<{name: string; version: number; type: string; key: string}>(
        "SELECT name, version, type, key FROM artifacts"
      )
    ).map((a) => [`${a.name}:${a.version}`, a])
  );
  const next = new Map<string, {name: string; version: number}[]>();
  for (const e of edges) {
    const [from, to] =
      direction === "up"
        ? [`${e.name}:${e.version}`, {name: e.upstream_name, version: e.upstream_version}]
        : [`${e.upstream_name}:${e.upstream_version}`, {name: e.name, version: e.version}];
    (next.get(from) ?? next.set(from, []).get(from)!).push(to);
  }
  const build = (n: string, v: number, trail: Set<string>): LineageNode => {
    const id = `${n}:${v}`;
    const a = info.get(id);
    const children = trail.has(id)
      ? []
      : (next.get(id) ?? [])
          .sort((x, y) => x.name.localeCompare(y.name))
          .map((c) => build(c.name, c.version, new Set([...trail, id])));
    return {name: n, version: v, type: a?.type ?? "?", key: a?.key ?? "", children};
  };
  return build(name, version, new Set());
}

export interface ModelSummary {
  name: string;
  version: number;
  aliases: string;
  artifact: string;
  run_id: string;
  created_at: string;
  metrics: Record<string, number>;
  /** The registering run's `model.type`, and its `model.params.*` (null, {} when gc dropped the run). */
  model_type: string | null;
  params: Record<string, unknown>;
}

export async function listModels(tx: TrackingTx, name?: string): Promise<ModelSummary[]> {
  const rows = await tx.rows<Omit<ModelSummary, "metrics"> & {metrics: string | null}>(
    `SELECT m.name, m.version, m.artifact_name || ':v' || m.artifact_version AS artifact, m.run_id, m.created_at::VARCHAR AS created_at,
       m.metrics, coalesce((SELECT string_agg(alias, ' ' ORDER BY alias) FROM model_aliases l WHERE l.name = m.name AND l.version = m.version), '') AS aliases
     FROM models m ${name ? "WHERE m.name = ?" : ""} ORDER BY m.name, m.version DESC`,
    name ? [name] : []
  );
  const params = rows.length
    ? await tx.rows<{run_id: string; key: string; value: string}>(
        `SELECT run_id, key, value FROM params WHERE run_id IN (${rows.map(() => "?").join(", ")})
         AND (key = 'model.type' OR starts_with(key, 'model.params.')) ORDER BY key`,
        rows.map((r) => r.run_id)
      )
    : [];
  return rows.map((r) => {
    const own = params.filter((p) => p.run_id === r.run_id);
    const type = own.find((p) => p.key === "model.type");
    return {
      ...r,
      metrics: r.metrics ? (JSON.parse(r.metrics) as Record<string, number>) : {},
      model_type: type ? (JSON.parse(type.value) as string) : null,
      params: Object.fromEntries(
        own
          .filter((p) => p.key !== "model.type")
          .map((p) => [p.key.slice("model.params.".length), JSON.parse(p.value) as unknown])
      )
    };
  });
}

export interface SweepSummary {
  id: string;
  pipeline: string;
  jobs: number;
  failed: number;
  started_at: string;
  metric: string | null;
  best: {run: string; value: number} | null;
  /** Whether `best` is the job the sweep itself selected (by its `selection`), not one picked here. */
  selected: boolean;
  /** The run that registered the selected job, when the config registers. */
  register_run: string | null;
}

/** Sweeps, newest first, each with its best job by `metric` (default: accuracy, else r2). */
export async function listSweeps(tx: TrackingTx, metric?: string): Promise<SweepSummary[]> {
  const winners = new Map(
    (
      await tx.rows<{
        sweep_id: string;
        run_id: string;
        metric: string;
        value: number;
        register_run_id: string | null;
      }>("SELECT * FROM sweep_winners")
    ).map((w) => [w.sweep_id, w])
  );
  // The runs of a sweep's shared steps and of its winner's registration carry the sweep id but are
  // not jobs (a register run recorded before roles has none: sweep_winners names it).
  const registering = new Set([...winners.values()].map((w) => w.register_run_id));
  const runs = (await listRuns(tx)).filter(
    (r) => r.sweep_id && (r.sweep_role ?? "job") === "job" && !registering.has(r.id)
  );
  const bySweep = new Map<string, RunSummary[]>();
  for (const r of runs) bySweep.set(r.sweep_id!, [...(bySweep.get(r.sweep_id!) ?? []), r]);
  return [...bySweep].map(([id, jobs]) => {
    const started = jobs.map((j) => j.started_at).sort()[0];
    const common = {
      id,
      pipeline: jobs[0].pipeline,
      jobs: jobs.length,
      failed: jobs.filter((j) => j.status !== "ok").length,
      started_at: started
    };
    const winner = winners.get(id);
    if (winner && !metric)
      return {
        ...common,
        metric: winner.metric,
        best: {run: winner.run_id, value: winner.value},
        selected: true,
        register_run: winner.register_run_id
      };
    const m = metric ?? ["accuracy", "r2"].find((k) => jobs.some((j) => k in j.metrics)) ?? null;
    const sign = m && lowerIsBetter.has(m) ? -1 : 1;
    let best: SweepSummary["best"] = null;
    for (const j of jobs) {
      const v = m ? j.metrics[m] : undefined;
      if (v !== undefined && Number.isFinite(v) && (!best || sign * v > sign * best.value))
        best = {run: j.id, value: v};
    }
    return {...common, metric: m, best, selected: false, register_run: null};
  });
}
