import {join} from "node:path";
import {ConfigError} from "../errors.ts";
import type {TrackingTx} from "./trackingTx.ts";

/**
 * `name:v3` (a version), `name:latest` or `name@champion` (an alias), or `name` (its latest). An
 * artifact's name may say its pipeline, `flights/model:v1`: artifacts are named and numbered per
 * pipeline, and a bare name is the pipeline's own (registered models have names of their own).
 */
export interface Ref {
  pipeline: string | null;
  name: string;
  version: number | null;
  alias: string | null;
}

export function parseRef(text: string): Ref {
  const m = /^(?:([A-Za-z0-9][\w.-]*)\/)?([A-Za-z][\w.-]*?)(?:(?::|@)(?:v(\d+)|([A-Za-z][\w.-]*)))?$/.exec(
    text
  );
  if (!m)
    throw new ConfigError(
      `invalid reference ${JSON.stringify(text)} (expected NAME, NAME:vN, NAME:ALIAS or NAME@ALIAS, the name of an artifact maybe as PIPELINE/NAME)`
    );
  const [, pipeline, name, version, alias] = m;
  return {
    pipeline: pipeline ?? null,
    name,
    version: version ? Number(version) : null,
    alias: version ? null : (alias ?? "latest")
  };
}

/** An artifact's name as tracking keeps it, `pipeline/name`: a bare name is `pipeline`'s own. */
export function artifactKey(name: string, pipeline: string): string {
  return name.includes("/") ? name : `${pipeline}/${name}`;
}

export interface ArtifactRow {
  name: string;
  version: number;
  type: string;
  description: string | null;
  step: string;
  output: string;
  key: string;
  digest: string;
  rows: number | null;
  bytes: number;
  run_id: string;
  created_at: string;
  collected_at: string | null;
}

/**
 * The artifact version a reference names: `NAME…` is `pipeline`'s own artifact, `PIPELINE/NAME…`
 * another pipeline's. An error naming what exists when it names nothing.
 */
export async function resolveArtifact(tx: TrackingTx, text: string, pipeline: string): Promise<ArtifactRow> {
  const ref = parseRef(text);
  const name = artifactKey(ref.pipeline ? `${ref.pipeline}/${ref.name}` : ref.name, pipeline);
  const version = await resolveVersion(tx, "artifacts", "aliases", {...ref, name}, text);
  const [row] = await tx.rows<ArtifactRow>("SELECT * FROM artifacts WHERE name = ? AND version = ?", [
    name,
    version
  ]);
  return row;
}

export interface ModelRow {
  name: string;
  version: number;
  artifact_name: string;
  artifact_version: number;
  run_id: string;
  metrics: string | null;
  created_at: string;
}

/** A registered model version and the artifact holding its bundle. */
export async function resolveModel(
  tx: TrackingTx,
  text: string
): Promise<{model: ModelRow; artifact: ArtifactRow}> {
  const ref = parseRef(text);
  const version = await resolveVersion(tx, "models", "model_aliases", ref, text);
  const [model] = await tx.rows<ModelRow>("SELECT * FROM models WHERE name = ? AND version = ?", [
    ref.name,
    version
  ]);
  const [artifact] = await tx.rows<ArtifactRow>("SELECT * FROM artifacts WHERE name = ? AND version = ?", [
    model.artifact_name,
    model.artifact_version
  ]);
  return {model, artifact};
}

async function resolveVersion(
  tx: TrackingTx,
  table: string,
  aliases: string,
  ref: Ref,
  text: string
): Promise<number> {
  const versions = (
    await tx.rows<{version: number}>(`SELECT version FROM ${table} WHERE name = ? ORDER BY version`, [
      ref.name
    ])
  ).map((r) => r.version);
  // ref.name is the name as tracked (an artifact's with its pipeline).
  const what = table === "models" ? "registered model" : "artifact";
  if (!versions.length) {
    const names = (await tx.rows<{name: string}>(`SELECT DISTINCT name FROM ${table} ORDER BY name`)).map(
      (r) => r.name
    );
    throw new ConfigError(
      `no ${what} named ${JSON.stringify(ref.name)} (${names.length ? `have: ${names.join(", ")}` : `none recorded yet`})`
    );
  }
  if (ref.version !== null) {
    if (!versions.includes(ref.version))
      throw new ConfigError(`${text}: no such version (have v${versions.join(", v")})`);
    return ref.version;
  }
  const [hit] = await tx.rows<{version: number}>(
    `SELECT version FROM ${aliases} WHERE name = ? AND alias = ?`,
    [ref.name, ref.alias]
  );
  if (!hit) {
    const known = (
      await tx.rows<{alias: string}>(`SELECT alias FROM ${aliases} WHERE name = ? ORDER BY alias`, [ref.name])
    ).map((r) => r.alias);
    throw new ConfigError(
      `${text}: no alias ${JSON.stringify(ref.alias)} (have: ${known.join(", ") || "none"})`
    );
  }
  return hit.version;
}

/** Points an alias at a version (`latest` is moved by runs, not by hand). */
export async function setAlias(
  tx: TrackingTx,
  kind: "artifact" | "model",
  name: string,
  version: number,
  alias: string
): Promise<void> {
  if (!/^[A-Za-z][\w.-]*$/.test(alias) || /^v\d+$/.test(alias)) {
    throw new ConfigError(`invalid alias ${JSON.stringify(alias)} (expected letters, digits, _ . -, not vN)`);
  }
  if (alias === "latest") throw new ConfigError(`invalid alias "latest" (runs move it; pick another name)`);
  const [table, aliases] = kind === "model" ? ["models", "model_aliases"] : ["artifacts", "aliases"];
  await resolveVersion(
    tx,
    table,
    aliases,
    {pipeline: null, name, version, alias: null},
    `${name}:v${version}`
  );
  await tx.run(`INSERT OR REPLACE INTO ${aliases} VALUES (?, ?, ?, now()::TIMESTAMP)`, [
    name,
    alias,
    version
  ]);
}

/**
 * What a model reference names: a registered model (`NAME@ALIAS`, `NAME:vN`; a registered name
 * never holds a slash), else an artifact holding a bundle (`model:v3`, `pipeline`'s own;
 * `flights/model:v1`, another's). The version is the registered model's, or the artifact's.
 */
export async function resolveModelOrArtifact(
  tx: TrackingTx,
  text: string,
  pipeline: string
): Promise<{artifact: ArtifactRow; name: string; version: number}> {
  const named = text.split(/[:@]/)[0];
  const [registered] = await tx.rows("SELECT 1 FROM models WHERE name = ? LIMIT 1", [named]);
  if (!registered) {
    try {
      const row = await resolveArtifact(tx, text, pipeline);
      return {artifact: row, name: row.name, version: row.version};
    } catch (error) {
      if (!(error instanceof ConfigError) || !error.message.startsWith("no artifact named")) throw error;
      const models = (await tx.rows<{name: string}>("SELECT DISTINCT name FROM models ORDER BY name")).map(
        (r) => r.name
      );
      throw new ConfigError(
        `${text}: no registered model or artifact of that name (registered models: ${models.join(", ") || "none"}; ${error.message})`
      );
    }
  }
  const {model, artifact} = await resolveModel(tx, text);
  return {artifact, name: model.name, version: model.version};
}

/** The file holding an artifact version in the store under `root` (the tracking's root). */
export function artifactPath(root: string, artifact: ArtifactRow, extension: "json" | "parquet"): string {
  return join(root, "store", artifact.step, artifact.key, `${artifact.output}.${extension}`);
}
