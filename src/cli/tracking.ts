import {relative} from "node:path";
import {ConfigError} from "../pipeline/errors.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {rebuildTracking} from "../pipeline/tracking/rebuild.ts";

/** `mlbook tracking rebuild`: the tracking database made again from `.mlbook/history/` and the store. */
export async function trackingCommand(
  action: string,
  options: {config: string; json?: boolean}
): Promise<void> {
  if (action !== "rebuild")
    throw new ConfigError(`invalid tracking action: ${JSON.stringify(action)} (expected rebuild)`);
  const tracking = projectTracking(options.config);
  const result = await rebuildTracking(tracking);
  if (options.json) return void console.log(JSON.stringify(result, null, 2));
  const shown = (p: string) => relative(process.cwd(), p) || p;
  for (const s of result.skipped) console.log(`  skipped ${s}`);
  const {run, alias, sweep_winner, runs_deleted, monitor_batch} = result.replayed;
  console.log(
    `rebuilt ${shown(tracking.path)} from ${run} runs, ${alias} alias changes, ${sweep_winner} sweep winners, ${runs_deleted} run deletions and ${monitor_batch} monitored batches; ${result.collected} artifact entries no longer stored`
  );
  if (result.replaced) console.log(`the database it replaced is kept as ${shown(result.replaced)}`);
}
