import {readFile} from "node:fs/promises";
import {dirname, relative} from "node:path";
import type {ModelBundle, SignatureColumn} from "../pipeline/ml/bundle.ts";
import {openDb} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {artifactVersions, listModels, type ModelSummary} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {artifactFile, currentRun} from "./currentRun.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ModelCardData {
  pipeline: string;
  runId: string;
  /** The config file, relative to the project (for the `mlbook predict` line). */
  config: string;
  task: string;
  target: string;
  classes: string[];
  modelType: string;
  params: Record<string, unknown>;
  signature: SignatureColumn[];
  featureNames: string[];
  /** The bundle in the store, relative to the project: what `mlbook predict -m` takes without a registry. */
  bundlePath: string;
  /** A few test rows of the signature's columns: what `mlbook predict` takes. */
  example: Record<string, unknown>[];
  headline: Record<string, number>;
  /** The model artifact's versions and aliases (the train step's output). */
  artifact: {
    name: string;
    versions: {version: number; aliases: string; key: string; run_id: string; created_at: string}[];
  } | null;
  /** Registered model versions (only with a register step). */
  registered: {name: string; versions: ModelSummary[]} | null;
}

/** Page data of the Model card: signature, input example, registry versions and aliases. */
export async function modelCard({name, loaded}: PipelineContext): Promise<ModelCardData> {
  const run = await currentRun(loaded);
  const bundleFile = artifactFile(run, "model");
  if (!bundleFile) throw new Error(`report: pipeline ${name} makes no model`);
  const bundle = JSON.parse(await readFile(bundleFile, "utf8")) as ModelBundle;
  const example = await inputExample(artifactFile(run, "test_data"), bundle.signature);
  const modelArtifact = run.detail.artifacts.find((a) => a.type === "model");
  const registerName = loaded.config.register?.name;
  const {artifact, registered} = await withProject(projectTracking(loaded.path), async (tx) => ({
    artifact: modelArtifact
      ? {
          name: modelArtifact.name,
          versions: (await artifactVersions(tx, modelArtifact.name, {pipeline: loaded.config.name})).map(
            (v) => ({
              version: v.version,
              aliases: v.aliases,
              key: v.key,
              run_id: v.run_id,
              created_at: String(v.created_at)
            })
          )
        }
      : null,
    registered: registerName ? {name: registerName, versions: await listModels(tx, registerName)} : null
  }));
  return {
    pipeline: name,
    runId: run.result.runId,
    config: relative(process.cwd(), loaded.path),
    task: bundle.task,
    target: bundle.target,
    classes: bundle.classes,
    modelType: loaded.config.model.type,
    params: loaded.config.model.params,
    signature: bundle.signature,
    featureNames: bundle.featureNames,
    bundlePath: relative(dirname(loaded.path), bundleFile),
    example,
    headline: run.result.headline,
    artifact,
    registered
  };
}

async function inputExample(
  rowsFile: string | undefined,
  signature: SignatureColumn[]
): Promise<Record<string, unknown>[]> {
  if (!rowsFile) return [];
  const db = await openDb();
  try {
    const columns = signature.map((s) => quoteIdent(s.name)).join(", ");
    const rows = await db.rows<Record<string, unknown>>(
      `SELECT ${columns} FROM read_parquet(${quoteString(rowsFile)}) LIMIT 5`
    );
    return rows;
  } finally {
    db.close();
  }
}
