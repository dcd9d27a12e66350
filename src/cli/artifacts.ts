import {ConfigError} from "../pipeline/errors.ts";
import {artifactVersions, listArtifacts} from "../pipeline/tracking/queries.ts";
import {projectOf} from "../pipeline/tracking/projectTracking.ts";
import {appendHistory} from "../pipeline/tracking/history.ts";
import {artifactKey, setAlias} from "../pipeline/tracking/resolve.ts";
import {formatBytes, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {inWorkspace, workspaceTrackings} from "./workspaceTrackings.ts";

/**
 * `mlbook artifacts [NAME]`, or `mlbook artifacts alias NAME VERSION ALIAS`. Artifacts are named
 * per pipeline: a bare NAME is the config's pipeline's, `flights/model` another's.
 */
export async function artifactsCommand(
  args: string[],
  options: {config: string; json?: boolean}
): Promise<void> {
  const {tracking, pipeline} = projectOf(options.config);
  if (args[0] === "alias") {
    const [bare, version, alias] = aliasArgs(args.slice(1), "mlbook artifacts alias NAME VERSION ALIAS");
    const name = artifactKey(bare, pipeline);
    // In the database holding the artifact (another pipeline's may be another's), else the config's.
    let holder = tracking;
    for (const t of workspaceTrackings(options.config)) {
      const found = await withProject(t, (tx) =>
        tx.rows("SELECT 1 FROM artifacts WHERE name = ? LIMIT 1", [name])
      );
      if (found.length) {
        holder = t;
        break;
      }
    }
    await withProject(holder, async (tx) => {
      await setAlias(tx, "artifact", name, version, alias);
      await appendHistory(holder.root, [{kind: "alias", target: "artifact", name, version, alias}]);
    });
    console.log(`${name}@${alias} → ${name}:v${version}`);
    return;
  }
  if (args.length > 1)
    throw new ConfigError(`invalid arguments: ${args.join(" ")} (expected mlbook artifacts [NAME])`);
  if (args[0]) {
    const versions = await inWorkspace(options.config, (tx) =>
      artifactVersions(tx, artifactKey(args[0], pipeline))
    );
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
  // Every pipeline's, from the workspace's root (their stores may differ: see workspaceTrackings).
  const all = [];
  for (const t of workspaceTrackings(options.config))
    all.push(...(await withProject(t, (tx) => listArtifacts(tx))));
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
