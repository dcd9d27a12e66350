import type {SqlValue, TrackingTx} from "./trackingTx.ts";
import {insertRows} from "./insertRows.ts";
import {artifactKey} from "./resolve.ts";
import {legacySweepRole} from "./schema.ts";
import type {ArtifactRecord, RunRecord} from "./runRecord.ts";

export interface Ingested {
  /** False when the run was already recorded (by another process ingesting the same journal). */
  inserted: boolean;
  /** Artifact name → version this run produced. */
  versions: Map<string, number>;
  /** What the registry did, for the run to say. */
  note: string | null;
}

/** Writes one run; see ingestRuns. */
export async function ingestRun(tx: TrackingTx, record: RunRecord): Promise<Ingested> {
  return (await ingestRuns(tx, [record]))[0];
}

/**
 * Writes runs in order: params, metrics, step keys, artifact versions (a new version only for new
 * content; `latest` moves to the run's), lineage between those versions, and the registry. The
 * result is what writing them one after another gives, but artifact versions are worked out in
 * memory from one query and each table gets one INSERT for all runs: a sweep's dozen runs take a
 * dozen statements, not hundreds (each a few milliseconds in DuckDB).
 */
export async function ingestRuns(tx: TrackingTx, records: readonly RunRecord[]): Promise<Ingested[]> {
  if (!records.length) return [];
  const ids = [...new Set(records.map((r) => r.id))];
  const seen = new Map(
    (
      await tx.rows<{id: string; note: string | null}>(
        `SELECT id, note FROM runs WHERE id IN (${ids.map(() => "?").join(", ")})`,
        ids
      )
    ).map((r) => [r.id, r.note])
  );
  const artifacts = await ArtifactVersions.load(
    tx,
    records.flatMap((r) => r.artifacts.map((a) => artifactKey(a.name, r.pipeline)))
  );
  const rows = {
    params: [] as SqlValue[][],
    metrics: [] as SqlValue[][],
    resolutions: [] as SqlValue[][],
    runSteps: [] as SqlValue[][],
    runArtifacts: new Map<string, SqlValue[]>(),
    aliases: new Map<string, SqlValue[]>(),
    lineage: new Map<string, SqlValue[]>(),
    runs: [] as SqlValue[][]
  };
  const out: Ingested[] = [];
  for (const record of records) {
    const versions = new Map<string, number>();
    if (seen.has(record.id)) {
      out.push({inserted: false, versions, note: seen.get(record.id) ?? null});
      continue;
    }
    const now = ts(record.endedAt);
    rows.params.push(...Object.entries(record.params).map(([k, v]) => [record.id, k, JSON.stringify(v)]));
    rows.metrics.push(...record.metrics.map((m) => [record.id, m.key, m.value, m.step]));
    for (const p of record.pins) rows.resolutions.push([record.id, p.ref, ...(await pinned(tx, p)), p.key]);
    rows.runSteps.push(
      ...record.steps.map((s) => [record.id, s.name, s.key, s.status, s.reason, s.durationMs])
    );
    // Artifacts are named and numbered per pipeline: a record's own are its pipeline's.
    const own = record.artifacts.map((a) => ({
      ...a,
      name: artifactKey(a.name, record.pipeline),
      upstream: a.upstream.map((u) => artifactKey(u, record.pipeline))
    }));
    for (const artifact of own) {
      const version = await artifacts.versionOf(tx, artifact, record.id, now);
      versions.set(artifact.name, version);
      // INSERT OR REPLACE one after another: the last run's alias stands.
      rows.aliases.set(artifact.name, [artifact.name, "latest", version, now]);
      // INSERT OR IGNORE: the first row for a (run, name) stands.
      const produced = JSON.stringify([record.id, artifact.name]);
      if (!rows.runArtifacts.has(produced))
        rows.runArtifacts.set(produced, [record.id, artifact.name, version]);
    }
    for (const a of own) {
      for (const u of a.upstream) {
        if (!versions.has(u)) continue;
        const edge = [a.name, versions.get(a.name)!, u, versions.get(u)!];
        rows.lineage.set(JSON.stringify(edge), edge);
      }
    }
    // The registry is rare and reads what earlier runs registered: written as it goes.
    const note = await registerModel(tx, record, versions, now);
    rows.runs.push([
      record.id,
      record.pipeline,
      record.configDigest,
      record.gitCommit,
      ts(record.startedAt),
      now,
      record.status,
      record.error,
      note,
      record.sweepId ?? null,
      legacySweepRole(record.sweepRole),
      record.source ?? null
    ]);
    seen.set(record.id, note);
    out.push({inserted: true, versions, note});
  }
  await insertMany(tx, "params", rows.params);
  await insertMany(tx, "metrics", rows.metrics);
  await insertMany(tx, "resolutions", rows.resolutions);
  await insertMany(tx, "run_steps", rows.runSteps);
  await insertMany(tx, "artifacts", artifacts.inserted);
  await insertMany(tx, "aliases", [...rows.aliases.values()], "INSERT OR REPLACE");
  await insertMany(tx, "run_artifacts", [...rows.runArtifacts.values()], "INSERT OR IGNORE");
  await insertMany(tx, "lineage", [...rows.lineage.values()], "INSERT OR IGNORE");
  // By name: columns later schema versions added sit wherever the migrations put them.
  await insertMany(
    tx,
    "runs (id, pipeline, config_digest, git_commit, started_at, ended_at, status, error, note, sweep_id, sweep_role, source)",
    rows.runs
  );
  return out;
}

/** Inserts rows a few hundred per statement (one statement's parameters stay few). */
async function insertMany(tx: TrackingTx, table: string, rows: SqlValue[][], verb?: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insertRows(tx, table, rows.slice(i, i + 500), verb);
}

/** Versions of the named artifacts: what the database holds, plus what this batch adds. */
class ArtifactVersions {
  /** Name → the highest version. */
  private readonly latest = new Map<string, number>();
  /** Name → content digest → its first version, and whether gc collected its files. */
  private readonly byDigest = new Map<string, Map<string, {version: number; collected: boolean}>>();
  /** Rows for the artifacts table. */
  readonly inserted: SqlValue[][] = [];

  static async load(tx: TrackingTx, names: string[]): Promise<ArtifactVersions> {
    const out = new ArtifactVersions();
    const unique = [...new Set(names)];
    if (!unique.length) return out;
    const rows = await tx.rows<{name: string; version: number; digest: string; collected: boolean}>(
      `SELECT name, version, digest, collected_at IS NOT NULL AS collected FROM artifacts WHERE name IN (${unique.map(() => "?").join(", ")}) ORDER BY name, version`,
      unique
    );
    for (const r of rows) out.add(r.name, r.version, r.digest, r.collected);
    return out;
  }

  private add(name: string, version: number, digest: string, collected: boolean): void {
    this.latest.set(name, Math.max(this.latest.get(name) ?? 0, version));
    let digests = this.byDigest.get(name);
    if (!digests) this.byDigest.set(name, (digests = new Map()));
    const known = digests.get(digest);
    if (!known || version < known.version) digests.set(digest, {version, collected});
  }

  /** Equal content is the version it had; new content is the next version. */
  async versionOf(tx: TrackingTx, a: ArtifactRecord, runId: string, now: string): Promise<number> {
    const same = this.byDigest.get(a.name)?.get(a.digest);
    if (same) {
      // Content collected by gc and now computed again is the same version, stored anew.
      if (same.collected) {
        await tx.run("UPDATE artifacts SET key = ?, collected_at = NULL WHERE name = ? AND version = ?", [
          a.key,
          a.name,
          same.version
        ]);
        same.collected = false;
      }
      return same.version;
    }
    const next = (this.latest.get(a.name) ?? 0) + 1;
    this.add(a.name, next, a.digest, false);
    this.inserted.push([
      a.name,
      next,
      a.type,
      a.description,
      a.step,
      a.output,
      a.key,
      a.digest,
      a.rows,
      a.bytes,
      runId,
      now,
      null
    ]);
    return next;
  }
}

async function registerModel(
  tx: TrackingTx,
  record: RunRecord,
  versions: Map<string, number>,
  now: string
): Promise<string | null> {
  const r = record.registration && {
    ...record.registration,
    artifact: artifactKey(record.registration.artifact, record.pipeline)
  };
  if (!r) return null;
  if (!r.passed) return `not registered as ${r.name}: ${r.reason}`;
  const artifactVersion = versions.get(r.artifact);
  if (artifactVersion === undefined) return `not registered as ${r.name}: no ${r.artifact} artifact`;
  const [existing] = await tx.rows<{version: number}>(
    "SELECT version FROM models WHERE name = ? AND artifact_name = ? AND artifact_version = ?",
    [r.name, r.artifact, artifactVersion]
  );
  if (existing) return `${r.name} v${existing.version} already registered (same model)`;
  const [{next}] = await tx.rows<{next: number}>(
    "SELECT coalesce(max(version), 0) + 1 AS next FROM models WHERE name = ?",
    [r.name]
  );
  const metrics = Object.fromEntries(
    record.metrics.filter((m) => m.step === null && !m.key.includes(".")).map((m) => [m.key, m.value])
  );
  await insertRows(tx, "models", [
    [r.name, next, r.artifact, artifactVersion, record.id, JSON.stringify(metrics), now]
  ]);
  await insertRows(tx, "model_aliases", [[r.name, "latest", next, now]], "INSERT OR REPLACE");
  return `registered ${r.name} v${next} (${r.reason})`;
}

/**
 * A pin's artifact as tracked: a record journaled before artifacts were named per pipeline names
 * it bare, with the folder-wide version number; the store key it was pinned to finds it.
 */
async function pinned(tx: TrackingTx, pin: RunRecord["pins"][number]): Promise<[string, number]> {
  if (pin.name.includes("/")) return [pin.name, pin.version];
  const [row] = await tx.rows<{name: string; version: number}>(
    "SELECT name, version FROM artifacts WHERE key = ? AND substr(name, strpos(name, '/') + 1) = ? ORDER BY version LIMIT 1",
    [pin.key, pin.name]
  );
  return row ? [row.name, row.version] : [pin.name, pin.version];
}

/** ISO time as DuckDB's TIMESTAMP text (UTC). */
export function ts(iso: string): string {
  return iso.replace("T", " ").replace(/Z$/, "");
}
