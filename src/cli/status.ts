import {loadConfig} from "../pipeline/builtins.ts";
import {pipelineStatus} from "../pipeline/engine/status.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";

export async function statusCommand(
  overrides: string[],
  options: {config: string; json?: boolean}
): Promise<void> {
  const loaded = await loadConfig(options.config, overrides);
  const records = await pipelineStatus(loaded, {hooks: [trackingHooks()]});
  if (options.json) {
    console.log(JSON.stringify({pipeline: loaded.config.name, steps: records}, null, 2));
    return;
  }
  console.log(`mlbook status ${loaded.config.name}`);
  for (const r of records) {
    console.log(
      `  ${r.name.padEnd(10)} ${(r.fresh ? "fresh" : "stale").padEnd(6)} ${r.key.slice(0, 12)}  ${r.reason ?? ""}`.trimEnd()
    );
  }
}
