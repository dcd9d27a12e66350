import type {TrackingTx} from "./trackingTx.ts";

/**
 * Schema migrations, applied in order and never edited once released: a database written by an
 * older mlbook is brought up to date when opened, and one written by a newer mlbook is refused.
 */
const migrations: string[][] = [
  [
    `CREATE TABLE runs (
      id VARCHAR PRIMARY KEY, pipeline VARCHAR NOT NULL, config_digest VARCHAR NOT NULL, git_commit VARCHAR,
      started_at TIMESTAMP NOT NULL, ended_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL, error VARCHAR, note VARCHAR)`,
    `CREATE TABLE params (run_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR, PRIMARY KEY (run_id, key))`,
    // step is NULL for a run's final metric, and the iteration for points of a curve.
    `CREATE TABLE metrics (run_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value DOUBLE, step INTEGER)`,
    `CREATE TABLE run_steps (run_id VARCHAR NOT NULL, step VARCHAR NOT NULL, key VARCHAR NOT NULL, status VARCHAR NOT NULL,
      reason VARCHAR, duration_ms DOUBLE, PRIMARY KEY (run_id, step))`,
    // One row per version of a named artifact; digest is its content (sha256), key the store entry.
    `CREATE TABLE artifacts (name VARCHAR NOT NULL, version INTEGER NOT NULL, type VARCHAR NOT NULL, description VARCHAR,
      step VARCHAR NOT NULL, output VARCHAR NOT NULL, key VARCHAR NOT NULL, digest VARCHAR NOT NULL, rows BIGINT,
      bytes BIGINT NOT NULL, run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, collected_at TIMESTAMP,
      PRIMARY KEY (name, version))`,
    `CREATE TABLE run_artifacts (run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (run_id, name))`,
    `CREATE TABLE lineage (name VARCHAR NOT NULL, version INTEGER NOT NULL, upstream_name VARCHAR NOT NULL,
      upstream_version INTEGER NOT NULL, PRIMARY KEY (name, version, upstream_name, upstream_version))`,
    `CREATE TABLE aliases (name VARCHAR NOT NULL, alias VARCHAR NOT NULL, version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL,
      PRIMARY KEY (name, alias))`,
    // How a run resolved a pinned input (clean_data:latest → v3 → key).
    `CREATE TABLE resolutions (run_id VARCHAR NOT NULL, ref VARCHAR NOT NULL, name VARCHAR NOT NULL, version INTEGER NOT NULL,
      key VARCHAR NOT NULL)`,
    `CREATE TABLE models (name VARCHAR NOT NULL, version INTEGER NOT NULL, artifact_name VARCHAR NOT NULL,
      artifact_version INTEGER NOT NULL, run_id VARCHAR NOT NULL, metrics VARCHAR, created_at TIMESTAMP NOT NULL,
      PRIMARY KEY (name, version))`,
    `CREATE TABLE model_aliases (name VARCHAR NOT NULL, alias VARCHAR NOT NULL, version INTEGER NOT NULL,
      updated_at TIMESTAMP NOT NULL, PRIMARY KEY (name, alias))`
  ],
  // 2: sweeps group their jobs' runs.
  ["ALTER TABLE runs ADD COLUMN sweep_id VARCHAR"],
  // 3: the job a sweep selected, by which score, and the run that registered it (if any).
  [
    `CREATE TABLE sweep_winners (sweep_id VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, metric VARCHAR NOT NULL,
      value DOUBLE NOT NULL, register_run_id VARCHAR)`
  ],
  // 4: a sweep run's part: 'job', 'shared' (the steps every job shares, run once before them) or
  // the run registering the winner (named in 5). NULL outside sweeps, and for sweep runs recorded before.
  ["ALTER TABLE runs ADD COLUMN sweep_role VARCHAR"],
  // 5: the run of a sweep's selected job that runs its final steps (registers it) is the 'winner'
  // run: a role named after what it is, not after one step.
  ["UPDATE runs SET sweep_role = 'winner' WHERE sweep_role = 'register'"],
  // 6: where a run came from: 'preview' for the live preview's loaders (which register no
  // model), NULL for the CLI, a build and code.
  ["ALTER TABLE runs ADD COLUMN IF NOT EXISTS source VARCHAR"],
  // 7: batches `mlbook monitor` compared with a model's training rows: the model (registered name
  // and version, else the artifact or file), the batch's file and digest, its time, what drifted
  // (a JSON list) and the whole comparison (JSON: columns, prediction, metrics).
  [
    `CREATE TABLE IF NOT EXISTS monitor_batches (id VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, version INTEGER,
      pipeline VARCHAR, run_id VARCHAR, file VARCHAR NOT NULL, digest VARCHAR NOT NULL, rows BIGINT NOT NULL,
      batch_at TIMESTAMP NOT NULL, created_at TIMESTAMP NOT NULL, drifted VARCHAR NOT NULL, report VARCHAR NOT NULL)`
  ],
  // 8: artifacts are named and numbered per pipeline: `clean_data` v1 of cars and v2–v3 of movies
  // become `cars/clean_data` v1 and `movies/clean_data` v1–v2, everywhere a version is named (the
  // run that made a version says its pipeline; else a version it has lineage with). `latest` is
  // each one's as its newest run left it; other aliases keep their version. Registered models keep their names.
  [
    `CREATE TEMP TABLE artifact_pipeline AS
      SELECT a.name, a.version, coalesce(
        (SELECT r.pipeline FROM runs r WHERE r.id = a.run_id),
        (SELECT any_value(r.pipeline) FROM run_artifacts ra JOIN runs r ON r.id = ra.run_id
          WHERE ra.name = a.name AND ra.version = a.version),
        (SELECT any_value(r.pipeline) FROM lineage l JOIN artifacts u ON u.name = l.upstream_name AND u.version = l.upstream_version
          JOIN runs r ON r.id = u.run_id WHERE l.name = a.name AND l.version = a.version),
        (SELECT any_value(r.pipeline) FROM lineage l JOIN artifacts d ON d.name = l.name AND d.version = l.version
          JOIN runs r ON r.id = d.run_id WHERE l.upstream_name = a.name AND l.upstream_version = a.version),
        'unknown') AS pipeline
      FROM artifacts a WHERE strpos(a.name, '/') = 0`,
    `CREATE TEMP TABLE artifact_map AS
      SELECT name AS old_name, version AS old_version, pipeline || '/' || name AS new_name,
        row_number() OVER (PARTITION BY pipeline, name ORDER BY version)::INTEGER AS new_version
      FROM artifact_pipeline`,
    `UPDATE artifacts SET name = m.new_name, version = m.new_version FROM artifact_map m
      WHERE artifacts.name = m.old_name AND artifacts.version = m.old_version`,
    `UPDATE run_artifacts SET name = m.new_name, version = m.new_version FROM artifact_map m
      WHERE run_artifacts.name = m.old_name AND run_artifacts.version = m.old_version`,
    `UPDATE lineage SET name = m.new_name, version = m.new_version FROM artifact_map m
      WHERE lineage.name = m.old_name AND lineage.version = m.old_version`,
    `UPDATE lineage SET upstream_name = m.new_name, upstream_version = m.new_version FROM artifact_map m
      WHERE lineage.upstream_name = m.old_name AND lineage.upstream_version = m.old_version`,
    `UPDATE resolutions SET name = m.new_name, version = m.new_version FROM artifact_map m
      WHERE resolutions.name = m.old_name AND resolutions.version = m.old_version`,
    `UPDATE models SET artifact_name = m.new_name, artifact_version = m.new_version FROM artifact_map m
      WHERE models.artifact_name = m.old_name AND models.artifact_version = m.old_version`,
    `UPDATE aliases SET name = m.new_name, version = m.new_version FROM artifact_map m
      WHERE aliases.name = m.old_name AND aliases.version = m.old_version`,
    // A name the pipelines shared had one latest: the others' is what their newest run made.
    `INSERT OR IGNORE INTO aliases
      SELECT ra.name, 'latest', arg_max(ra.version, r.ended_at), max(r.ended_at)
      FROM run_artifacts ra JOIN runs r ON r.id = ra.run_id GROUP BY ra.name`,
    `INSERT OR IGNORE INTO aliases SELECT name, 'latest', max(version), max(created_at) FROM artifacts GROUP BY name`,
    "DROP TABLE artifact_map",
    "DROP TABLE artifact_pipeline"
  ]
];

export const SCHEMA_VERSION = migrations.length;

/** A sweep role as a record journaled by an older mlbook may carry it, in today's name. */
export function legacySweepRole(role: string | null | undefined): string | null {
  return role === "register" ? "winner" : (role ?? null);
}

export async function migrate(tx: TrackingTx): Promise<void> {
  await tx.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const [row] = await tx.rows<{version: number}>("SELECT max(version) AS version FROM schema_version");
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `tracking database has schema version ${current}, newer than this mlbook knows (${SCHEMA_VERSION})`
    );
  }
  if (current === SCHEMA_VERSION) return;
  // One transaction per version: DuckDB refuses to commit one that changes a table's rows and then
  // its columns (version 5 updates runs, version 6 adds a column to it).
  for (let v = current; v < SCHEMA_VERSION; ++v) {
    await tx.run("BEGIN TRANSACTION");
    try {
      for (const sql of migrations[v]) await tx.run(sql);
      await tx.run("INSERT INTO schema_version VALUES (?)", [v + 1]);
      await tx.run("COMMIT");
    } catch (error) {
      await tx.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }
}
