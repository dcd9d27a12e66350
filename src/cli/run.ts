import {relative} from "node:path";
import {loadConfig} from "../pipeline/config.ts";
import {runPipeline} from "../pipeline/run.ts";
import {formatDuration, formatMetrics} from "./format.ts";
import {terminalLogger} from "./progress.ts";

export async function runCommand(
  overrides: string[],
  options: {
    config: string;
    steps?: string;
    json?: boolean;
    multirun?: boolean;
    jobs?: string;
    maxJobs?: string;
  }
): Promise<void> {
  const sweep = await import("./sweep.ts");
  if (sweep.wantsSweep(overrides, options)) return sweep.sweepCommand(overrides, options);
  const loaded = loadConfig(options.config, overrides);
  const steps = options.steps
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!options.json)
    console.log(`mlbook run ${loaded.config.name} (${relative(process.cwd(), loaded.path)})`);
  const result = await runPipeline(loaded, {steps, logger: terminalLogger(options.json)});
  if (options.json) {
    const {runId, pipeline, configDigest, durationMs, steps: records, headline} = result;
    console.log(
      JSON.stringify({runId, pipeline, configDigest, durationMs, steps: records, metrics: headline}, null, 2)
    );
    return;
  }
  for (const line of formatMetrics(result)) console.log(line);
  console.log(`run ${result.runId} in ${formatDuration(result.durationMs)}`);
}
