import {loadConfig} from "../pipeline/config.ts";
import {runPipeline, type RunResult} from "../pipeline/run.ts";

export interface ReportData extends RunResult {
  config: {name: string; description?: string; source: string; target: string; task: string; model: string};
  builtAt: string;
}

/**
 * Page data for a pipeline: runs it (fresh steps come straight from the store, exactly what
 * `mlbook run` made) and returns the run summary with the full evaluation report.
 */
export async function report(configPath = "mlbook.yaml"): Promise<ReportData> {
  const loaded = loadConfig(configPath);
  const result = await runPipeline(loaded, {
    logger: {
      step: (s) => process.stderr.write(`  ${s.name} ${s.status === "fresh" ? "fresh" : `ran (${s.reason})`}\n`),
      progress() {},
      info: (m) => process.stderr.write(`  ${m}\n`)
    }
  });
  const {config} = loaded;
  return {
    ...result,
    config: {
      name: config.name,
      description: config.description,
      source: config.data.source,
      target: config.data.target,
      task: config.data.task,
      model: config.model.type
    },
    builtAt: new Date().toISOString()
  };
}
