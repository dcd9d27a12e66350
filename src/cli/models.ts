import {ConfigError} from "../pipeline/errors.ts";
import {listModels, type ModelSummary} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {appendHistory} from "../pipeline/tracking/history.ts";
import {setAlias} from "../pipeline/tracking/resolve.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {aliasArgs} from "./artifacts.ts";
import {workspaceTrackings} from "./workspaceTrackings.ts";

/** `mlbook models [NAME]`, `mlbook models alias NAME VERSION ALIAS` (e.g. champion), or `mlbook models diff A B`. */
export async function modelsCommand(
  args: string[],
  options: {config: string; json?: boolean}
): Promise<void> {
  const tracking = projectTracking(options.config);
  if (args[0] === "alias") {
    const [name, version, alias] = aliasArgs(args.slice(1), "mlbook models alias NAME VERSION ALIAS");
    await withProject(tracking, async (tx) => {
      await setAlias(tx, "model", name, version, alias);
      await appendHistory(tracking.root, [{kind: "alias", target: "model", name, version, alias}]);
    });
    console.log(`${name}@${alias} → ${name}:v${version}`);
    return;
  }
  if (args[0] === "diff") {
    const {modelsDiff} = await import("./modelsDiff.ts");
    return await modelsDiff(args.slice(1), options);
  }
  if (args.length > 1)
    throw new ConfigError(
      `invalid arguments: ${args.join(" ")} (expected mlbook models [NAME], models alias NAME VERSION ALIAS or models diff A B)`
    );
  const models: ModelSummary[] = [];
  for (const t of workspaceTrackings(options.config))
    models.push(...(await withProject(t, (tx) => listModels(tx, args[0]))));
  if (options.json) return void console.log(JSON.stringify(models, null, 2));
  if (!models.length) return void console.log("no registered models (add register: to the config)");
  const preferred = ["accuracy", "f1_macro", "r2", "rmse"];
  const shown = preferred.filter((m) => models.some((x) => m in x.metrics));
  const rows = models.map((m) => [
    m.name,
    `v${m.version}`,
    m.aliases,
    m.model_type ?? "?",
    Object.entries(m.params)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" "),
    ...shown.map((k) => formatMetric(m.metrics[k])),
    m.run_id,
    m.created_at.slice(5, 16)
  ]);
  const header = [
    "MODEL",
    "VERSION",
    "ALIASES",
    "TYPE",
    "PARAMS",
    ...shown.map((k) => k.toUpperCase()),
    "RUN",
    "REGISTERED"
  ];
  for (const line of textTable(header, rows, {right: shown.map((_, i) => 5 + i), shrink: [4]}))
    console.log(line);
}
