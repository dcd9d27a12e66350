import {relative} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {lowerIsBetter} from "../pipeline/ml/metrics/headline.ts";
import type {CheckReport} from "../pipeline/steps/checks/report.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {listModels} from "../pipeline/tracking/queries.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {listPipelines} from "../site/pipelines.ts";
import {checksBrief, type ChecksBrief} from "./checksBrief.ts";
import {artifactJson, currentRun} from "./currentRun.ts";
import {monitoringBrief, type MonitoringBrief} from "./monitoringBrief.ts";

/** One pipeline as the home page lists it. */
export interface PipelineSummary {
  name: string;
  description: string | null;
  task: string;
  /** The config file, relative to the project. */
  config: string;
  /** The selection metric (`selection.metric`), else the first headline metric, on the test rows. */
  metric: {name: string; value: number | null; selection: boolean; lowerIsBetter: boolean} | null;
  checks: ChecksBrief | null;
  monitoring: MonitoringBrief;
  /** The run the pipeline's pages show: the newest run of the config as it is. */
  run: {id: string; startedAt: string};
  /** The registered model's versions that carry an alias, newest first (null without `register:`). */
  registered: {name: string; versions: {version: number; aliases: string[]}[]} | null;
}

export interface HomeData {
  pipelines: PipelineSummary[];
  builtAt: string;
}

/**
 * Page data of the home page: every pipeline of the project (mlbook.yaml, pipelines/*.yaml) in
 * one row each. Each pipeline's run is found as its own pages find it (no run unless the store
 * lacks one); the tracking database gives its registered versions and monitored batches.
 */
export async function home(_context?: unknown, root = process.cwd()): Promise<HomeData> {
  const pipelines: PipelineSummary[] = [];
  for (const [name, file] of Object.entries(listPipelines(root))) {
    const loaded = await loadConfig(file);
    const {config} = loaded;
    const run = await currentRun(loaded);
    const selection = config.selection?.metric;
    const headline = run.result.headline;
    const metricName = selection ?? Object.keys(headline)[0];
    const registerName = config.register?.name;
    const {monitoring, versions} = await withProject(projectTracking(loaded.path), async (tx) => ({
      monitoring: await monitoringBrief(tx, name),
      versions: registerName ? await listModels(tx, registerName) : []
    }));
    pipelines.push({
      name,
      description: config.description ?? null,
      task: config.data.task,
      config: relative(root, file).split("\\").join("/"),
      metric: metricName
        ? {
            name: metricName,
            value: headline[metricName] ?? null,
            selection: selection !== undefined,
            lowerIsBetter: lowerIsBetter.has(metricName)
          }
        : null,
      checks: checksBrief(await artifactJson<CheckReport>(run, "check_report")),
      monitoring,
      run: {id: run.result.runId, startedAt: run.result.startedAt},
      registered: registerName
        ? {
            name: registerName,
            // listModels lists the newest first: it, and the older ones an alias still points to.
            versions: versions
              .filter((v, i) => i === 0 || v.aliases)
              .map((v) => ({version: v.version, aliases: v.aliases ? v.aliases.split(" ") : []}))
          }
        : null
    });
  }
  return {pipelines, builtAt: new Date().toISOString()};
}
