import {readFile} from "node:fs/promises";
import {relative} from "node:path";
import type {ModelBundle, SignatureColumn} from "../pipeline/ml/bundle.ts";
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
  /** What `-m` names this run's model by: its registered version, else its artifact version. */
  modelRef: string;
  /** A few raw rows of the data the pipeline read (the signature's columns): what predict takes. */
  example: Record<string, unknown>[];
  /** Shell lines, runnable from the project's folder, scoring the example with `mlbook predict`. */
  predictCommand: string;
  /** Shell lines starting `mlbook serve-model` on the model, and a `curl` scoring the example. */
  serveCommand: string;
  curlCommand: string;
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
  const example = (bundle.example ?? []).slice(0, 3);
  const modelArtifact = run.detail.artifacts.find((a) => a.type === "model");
  const registerName = loaded.config.register?.name;
  const {artifact, registered} = await withProject(projectTracking(loaded.path), async (tx) => ({
    artifact: modelArtifact
      ? {
          name: modelArtifact.name,
          versions: (await artifactVersions(tx, modelArtifact.name)).map((v) => ({
            version: v.version,
            aliases: v.aliases,
            key: v.key,
            run_id: v.run_id,
            created_at: String(v.created_at)
          }))
        }
      : null,
    registered: registerName ? {name: registerName, versions: await listModels(tx, registerName)} : null
  }));
  const config = relative(process.cwd(), loaded.path).split("\\").join("/") || "mlbook.yaml";
  const made = modelArtifact && `${modelArtifact.name}:v${modelArtifact.version}`;
  const mine = registered?.versions.find((v) => v.artifact === made);
  const modelRef = mine ? `${mine.name}:v${mine.version}` : made;
  if (!modelRef)
    throw new Error(`report: run ${run.result.runId} of pipeline ${name} recorded no model artifact`);
  const commands = usage({config, modelRef, example, keep: bundle.signature[0]?.name});
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
    modelRef,
    example,
    ...commands,
    headline: run.result.headline,
    artifact,
    registered
  };
}

/** Port of the served model in the Model card's commands (serve-model's default). */
const PORT = 5000;

/**
 * The Model card's copy-paste commands: each writes the example rows (a quoted heredoc: no shell
 * expansion, any value) and scores them, runnable as they are from the project's folder.
 */
export function usage({
  config,
  modelRef,
  example,
  keep
}: {
  config: string;
  modelRef: string;
  example: Record<string, unknown>[];
  keep?: string;
}): {predictCommand: string; serveCommand: string; curlCommand: string} {
  const rows = JSON.stringify(example);
  const arg = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);
  return {
    predictCommand: [
      "cat > example.json <<'EOF'",
      rows,
      "EOF",
      `npx mlbook predict example.json -m ${arg(modelRef)} -c ${arg(config)}${keep ? ` --keep ${arg(keep)}` : ""}`
    ].join("\n"),
    serveCommand: `npx mlbook serve-model ${arg(modelRef)} -c ${arg(config)} --port ${PORT}`,
    curlCommand: [
      `curl -s http://127.0.0.1:${PORT}/invocations -H 'content-type: application/json' --data-binary @- <<'EOF'`,
      JSON.stringify({dataframe_records: example}),
      "EOF"
    ].join("\n")
  };
}
