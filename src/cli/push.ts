import {relative} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {plan} from "../pipeline/engine/plan.ts";
import {Store} from "../pipeline/engine/store.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {remoteOf} from "../pipeline/remote/remoteHooks.ts";

/**
 * `mlbook push`: copies every entry of the config's current plan that the local store holds to the
 * remote store (MLBOOK_REMOTE) unless the remote has it already — what a CI job runs after
 * `mlbook run` so that a teammate's run and build compute nothing.
 */
export async function pushCommand(overrides: string[], options: {config: string}): Promise<void> {
  const {loaded, remote, store, planned} = await remoteAndStore("push", overrides, options);
  let pushed = 0;
  let bytes = 0;
  let missing = 0;
  for (const p of planned) {
    const found = await store.lookup(p.node.name, p.key);
    if (found.status !== "ok") {
      ++missing;
      continue;
    }
    const sent = await remote.push(found.entry);
    if (sent) {
      ++pushed;
      bytes += sent;
      console.log(`  pushed ${p.node.name} ${p.key.slice(0, 12)} (${kib(sent)})`);
    } else console.log(`  ${p.node.name} ${p.key.slice(0, 12)} is there already`);
  }
  console.log(
    `mlbook push ${loaded.config.name} (${relative(process.cwd(), loaded.path)}) → ${remote.url}: ${pushed} pushed, ${kib(bytes)}` +
      (missing ? `; ${missing} not in the local store (run the pipeline first)` : "")
  );
}

/**
 * `mlbook pull`: copies every entry of the config's current plan that the local store lacks from
 * the remote store, each checked against its manifest — to work offline, or to look at a
 * teammate's results before running anything.
 */
export async function pullCommand(overrides: string[], options: {config: string}): Promise<void> {
  const {loaded, remote, store, planned} = await remoteAndStore("pull", overrides, options);
  let pulled = 0;
  let bytes = 0;
  const absent: string[] = [];
  for (const p of planned) {
    if ((await store.lookup(p.node.name, p.key)).status === "ok") continue;
    const got = await remote.pull(store, p.node.name, p.key);
    if (got.status === "pulled") {
      ++pulled;
      bytes += got.bytes;
      console.log(`  pulled ${p.node.name} ${p.key.slice(0, 12)} (${kib(got.bytes)})`);
    } else if (got.status === "refused") {
      absent.push(p.node.name);
      console.log(`  refused ${p.node.name} ${p.key.slice(0, 12)} (${got.reason})`);
    } else absent.push(p.node.name);
  }
  console.log(
    `mlbook pull ${loaded.config.name} (${relative(process.cwd(), loaded.path)}) ← ${remote.url}: ${pulled} pulled, ${kib(bytes)}` +
      (absent.length ? `; not on the remote: ${absent.join(", ")} (mlbook run makes them)` : "")
  );
}

/** The config, its remote store (refused when none is set), its local store and its plan. */
async function remoteAndStore(verb: "push" | "pull", overrides: string[], options: {config: string}) {
  const loaded = await loadConfig(options.config, overrides);
  const remote = remoteOf(loaded);
  if (!remote)
    throw new ConfigError(
      `${verb}: no remote store (set store.remote in the config, or MLBOOK_REMOTE=s3://bucket/prefix)`
    );
  return {loaded, remote, store: new Store(storeRoot(loaded)), planned: await plan(buildGraph(loaded))};
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
