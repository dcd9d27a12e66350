import {upstreamOf} from "../pipeline/engine/graph.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import type {RunResult} from "../pipeline/engine/runTypes.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {lineage, type LineageNode} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import type {CheckReport} from "../pipeline/steps/checks/report.ts";
import {checksBrief, type ChecksBrief} from "./checksBrief.ts";
import {artifactJson, currentRun} from "./currentRun.ts";
import {monitoringBrief, type MonitoringBrief} from "./monitoringBrief.ts";
import type {PipelineContext} from "./pipelineContext.ts";

export interface ReportData extends RunResult {
  config: {
    name: string;
    description?: string;
    source: string;
    target: string;
    task: string;
    model: string;
    params: Record<string, unknown>;
  };
  /** Digest of the config as written (before defaults). */
  rawConfigDigest: string;
  /** The ingest step's key: a digest of the data file's content and how it is read. */
  dataDigest: string;
  /** The DAG: each step and the steps it reads. */
  edges: {from: string; to: string}[];
  /** Where each step's code is: the workspace module of the user's own steps, null for mlbook's. */
  code: Record<string, {module: string | null; description: string | null}>;
  /** Named artifacts the run produced, and the lineage of the model. */
  artifacts: {name: string; version: number; type: string; rows: number | null; bytes: number}[];
  lineage: LineageNode | null;
  /** The data checks of the run, in brief (null without a check step): what failed, what drifted. */
  checks: ChecksBrief | null;
  /** The batches monitored against the pipeline's models: the latest one's drift. */
  monitoring: MonitoringBrief;
  builtAt: string;
}

/**
 * Page data of the Overview and Pipeline pages: the run summary, the DAG, the model's lineage and
 * the latest monitored batch.
 */
export async function report({name, loaded}: PipelineContext): Promise<ReportData> {
  const run = await currentRun(loaded);
  const {config} = loaded;
  const model = run.detail.artifacts.find((a) => a.type === "model") ?? run.detail.artifacts.at(-1);
  const checkReport = await artifactJson<CheckReport>(run, "check_report");
  const {tree, monitoring} = await withProject(projectTracking(loaded.path), async (tx) => ({
    tree: model ? await lineage(tx, model.name, model.version) : null,
    monitoring: await monitoringBrief(tx, name)
  }));
  return {
    ...run.result,
    config: {
      name: config.name,
      description: config.description,
      source: config.data.source ?? Object.values(config.data.tables ?? {}).join(" + "),
      target: config.data.target,
      task: config.data.task,
      model: config.model.type,
      params: config.model.params
    },
    rawConfigDigest: hashValue(loaded.raw),
    dataDigest: run.result.steps[0]?.key ?? "",
    edges: run.graph.nodes.flatMap((n) => upstreamOf(n).map((from) => ({from, to: n.name}))),
    code: Object.fromEntries(
      run.graph.nodes.map((n) => [
        n.name,
        {module: n.step.workspace?.shown ?? null, description: n.step.description ?? null}
      ])
    ),
    artifacts: run.detail.artifacts,
    lineage: tree,
    checks: checksBrief(checkReport),
    monitoring,
    builtAt: new Date().toISOString()
  };
}
