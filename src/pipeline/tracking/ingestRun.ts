import type {TrackingTx} from "./open.ts";
import {insertRows} from "./insertRows.ts";
import type {ArtifactRecord, RunRecord} from "./runRecord.ts";

export interface Ingested {
  /** False when the run was already recorded (by another process ingesting the same journal). */
  inserted: boolean;
  /** Artifact name → version this run produced. */
  versions: Map<string, number>;
  /** What the registry did, for the run to say. */
  note: string | null;
}

/**
 * Writes one run: params, metrics, step keys, artifact versions (a new version only for new
 * content; `latest` moves to this run's), lineage between those versions, and the registry.
 */
export async function ingestRun(tx: TrackingTx, record: RunRecord): Promise<Ingested> {
  const versions = new Map<string, number>();
  const [seen] = await tx.rows<{note: string | null}>("SELECT note FROM runs WHERE id = ?", [record.id]);
  if (seen) return {inserted: false, versions, note: seen.note};
  const now = ts(record.endedAt);
  await insertRows(
    tx,
    "params",
    Object.entries(record.params).map(([k, v]) => [record.id, k, JSON.stringify(v)])
  );
  await insertRows(
    tx,
    "metrics",
    record.metrics.map((m) => [record.id, m.key, m.value, m.step])
  );
  await insertRows(
    tx,
    "resolutions",
    record.pins.map((p) => [record.id, p.ref, p.name, p.version, p.key])
  );
  await insertRows(
    tx,
    "run_steps",
    record.steps.map((s) => [record.id, s.name, s.key, s.status, s.reason, s.durationMs])
  );
  for (const artifact of record.artifacts) {
    const version = await artifactVersion(tx, artifact, record.id, now);
    versions.set(artifact.name, version);
    await insertRows(tx, "aliases", [[artifact.name, "latest", version, now]], "INSERT OR REPLACE");
    await insertRows(tx, "run_artifacts", [[record.id, artifact.name, version]], "INSERT OR IGNORE");
  }
  const edges = record.artifacts.flatMap((a) =>
    a.upstream.filter((u) => versions.has(u)).map((u) => [a.name, versions.get(a.name)!, u, versions.get(u)!])
  );
  await insertRows(tx, "lineage", edges, "INSERT OR IGNORE");
  const note = await registerModel(tx, record, versions, now);
  await insertRows(tx, "runs", [
    [
      record.id,
      record.pipeline,
      record.configDigest,
      record.gitCommit,
      ts(record.startedAt),
      now,
      record.status,
      record.error,
      note,
      record.sweepId ?? null
    ]
  ]);
  return {inserted: true, versions, note};
}

async function artifactVersion(
  tx: TrackingTx,
  a: ArtifactRecord,
  runId: string,
  now: string
): Promise<number> {
  const [same] = await tx.rows<{version: number; collected: boolean}>(
    "SELECT version, collected_at IS NOT NULL AS collected FROM artifacts WHERE name = ? AND digest = ? ORDER BY version LIMIT 1",
    [a.name, a.digest]
  );
  // Content collected by gc and now computed again is the same version, stored anew.
  if (same?.collected)
    await tx.run("UPDATE artifacts SET key = ?, collected_at = NULL WHERE name = ? AND version = ?", [
      a.key,
      a.name,
      same.version
    ]);
  if (same) return same.version;
  const [{next}] = await tx.rows<{next: number}>(
    "SELECT coalesce(max(version), 0) + 1 AS next FROM artifacts WHERE name = ?",
    [a.name]
  );
  await insertRows(tx, "artifacts", [
    [
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
    ]
  ]);
  return next;
}

async function registerModel(
  tx: TrackingTx,
  record: RunRecord,
  versions: Map<string, number>,
  now: string
): Promise<string | null> {
  const r = record.registration;
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

/** ISO time as DuckDB's TIMESTAMP text (UTC). */
export function ts(iso: string): string {
  return iso.replace("T", " ").replace(/Z$/, "");
}
