import {relative} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {runPipeline} from "../pipeline/engine/run.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";
import {remoteHooks, remoteOf} from "../pipeline/remote/remoteHooks.ts";
import {formatMetrics, runJson, runLine} from "./format.ts";
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
    queue?: string;
  }
): Promise<void> {
  const sweep = await import("./sweep.ts");
  if (sweep.wantsSweep(overrides, options)) return sweep.sweepCommand(overrides, options);
  if (options.queue)
    throw new ConfigError("--queue runs a sweep's jobs on workers: add -m and the swept overrides");
  const loaded = await loadConfig(options.config, overrides);
  const steps = options.steps
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const header = `mlbook run ${loaded.config.name} (${relative(process.cwd(), loaded.path)})`;
  if (!options.json) console.log(header);
  const result = await runPipeline(loaded, {
    steps,
    logger: terminalLogger(options.json),
    hooks: [...remoteHooks(remoteOf(loaded)), trackingHooks()]
  });
  const metricLines = formatMetrics(result);
  if (options.json) console.log(runJson(result));
  else {
    for (const line of metricLines) console.log(line);
    console.log(runLine(result.runId, result.durationMs));
  }
  // The next identical command line can then replay an all-fresh run without loading the engine
  // (bin/mlbook.js → receipt.ts).
  if (process.argv[2] === "run") {
    const {writeReceipt} = await import("./writeReceipt.ts");
    await writeReceipt(loaded, result, process.argv.slice(3), {header, metricLines});
  }
}
