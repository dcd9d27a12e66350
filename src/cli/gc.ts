import {ConfigError} from "../pipeline/errors.ts";
import {gc} from "../pipeline/tracking/gc.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {formatBytes} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

export async function gcCommand(options: {
  config: string;
  dryRun?: boolean;
  keepRuns?: string;
  json?: boolean;
}): Promise<void> {
  let keepRuns: number | undefined;
  if (options.keepRuns !== undefined) {
    keepRuns = Number(options.keepRuns);
    if (!Number.isInteger(keepRuns) || keepRuns < 0)
      throw new ConfigError(
        `invalid --keep-runs: ${JSON.stringify(options.keepRuns)} (expected an integer >= 0)`
      );
  }
  const tracking = projectTracking(options.config);
  const result = await withProject(tracking, (tx) =>
    gc(tx, tracking.root, {keepRuns, dryRun: options.dryRun})
  );
  if (options.json) return void console.log(JSON.stringify(result, null, 2));
  const verb = result.dryRun ? "would delete" : "deleted";
  for (const e of result.entries)
    console.log(`  ${verb} ${e.step}/${e.key.slice(0, 12)}  ${formatBytes(e.bytes)}`);
  if (result.runsDeleted)
    console.log(`${verb} ${result.runsDeleted} run${result.runsDeleted === 1 ? "" : "s"} from the database`);
  console.log(
    `${verb} ${result.entries.length} store entr${result.entries.length === 1 ? "y" : "ies"}, ${result.dryRun ? "would free" : "freed"} ${formatBytes(result.bytes)} (${result.bytes} bytes)`
  );
}
