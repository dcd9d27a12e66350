import {ConfigError} from "../pipeline/errors.ts";
import {artifactVersions, listArtifacts} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {appendHistory} from "../pipeline/tracking/history.ts";
import {setAlias} from "../pipeline/tracking/resolve.ts";
import {formatBytes, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/** `mlbook artifacts [NAME]`, or `mlbook artifacts alias NAME VERSION ALIAS`. */
export async function artifactsCommand(
  args: string[],
  options: {config: string; json?: boolean}
): Promise<void> {
  const tracking = projectTracking(options.config);
  if (args[0] === "alias") {
    const [name, version, alias] = aliasArgs(args.slice(1), "mlbook artifacts alias NAME VERSION ALIAS");
    await withProject(tracking, async (tx) => {
      await setAlias(tx, "artifact", name, version, alias);
      await appendHistory(tracking.root, [{kind: "alias", target: "artifact", name, version, alias}]);
    });
    console.log(`${name}@${alias} → ${name}:v${version}`);
    return;
  }
  if (args.length > 1)
    throw new ConfigError(`invalid arguments: ${args.join(" ")} (expected mlbook artifacts [NAME])`);
  if (args[0]) {
    const versions = await withProject(tracking, (tx) => artifactVersions(tx, args[0]));
    if (options.json) return void console.log(JSON.stringify(versions, null, 2));
    const rows = versions.map((v) => [
      `v${v.version}`,
      v.aliases,
      v.rows === null ? "" : String(v.rows),
      v.collected_at ? "(collected)" : formatBytes(v.bytes),
      `${v.step}.${v.output}`,
      v.key.slice(0, 12),
      v.run_id,
      v.pipeline ?? ""
    ]);
    console.log(
      `${versions[0].name} (${versions[0].type})${versions[0].description ? `: ${versions[0].description}` : ""}`
    );
    for (const line of textTable(
      ["VERSION", "ALIASES", "ROWS", "SIZE", "OUTPUT", "KEY", "RUN", "PIPELINE"],
      rows,
      {
        right: [2, 3],
        shrink: [1, 4]
      }
    )) {
      console.log(line);
    }
    return;
  }
  const all = await withProject(tracking, (tx) => listArtifacts(tx));
  if (options.json) return void console.log(JSON.stringify(all, null, 2));
  if (!all.length) return void console.log("no artifacts recorded yet (mlbook run records them)");
  const rows = all.map((a) => [
    a.name,
    a.type,
    String(a.versions),
    a.latest === null ? "" : `v${a.latest}`,
    a.aliases,
    formatBytes(Number(a.bytes))
  ]);
  for (const line of textTable(["NAME", "TYPE", "VERSIONS", "LATEST", "ALIASES", "SIZE"], rows, {
    right: [2, 5],
    shrink: [4, 0]
  }))
    console.log(line);
}

export function aliasArgs(args: string[], usage: string): [string, number, string] {
  const [name, version, alias] = args;
  const n = Number(/^v?(\d+)$/.exec(version ?? "")?.[1]);
  if (args.length !== 3 || !Number.isInteger(n))
    throw new ConfigError(`invalid arguments: ${args.join(" ")} (expected ${usage}, VERSION like 3 or v3)`);
  return [name, n, alias];
}
