import type {RunHooks} from "./hooks.ts";
import {storeRoot, type LoadedConfig} from "./loadedConfig.ts";
import {plan, staleReason} from "./plan.ts";
import {resolvedGraph} from "./run.ts";
import {silentLogger} from "./runTypes.ts";
import {readState} from "./state.ts";
import {Store} from "./store.ts";

export interface StatusRecord {
  name: string;
  key: string;
  fresh: boolean;
  reason: string | null;
}

/** Which steps are fresh and which are stale (and why), without running anything. */
export async function pipelineStatus(
  loaded: LoadedConfig,
  options: {root?: string; hooks?: readonly RunHooks[]} = {}
): Promise<StatusRecord[]> {
  const run = {loaded, root: storeRoot(loaded, options.root), logger: silentLogger};
  const store = new Store(run.root);
  const graph = await resolvedGraph(run, options.hooks ?? []);
  const state = await readState(run.root, graph.name);
  const out: StatusRecord[] = [];
  const stale = new Set<string>();
  for (const p of await plan(graph)) {
    const lookup = await store.lookup(p.node.name, p.key);
    const fresh = lookup.status === "ok";
    if (!fresh) stale.add(p.node.name);
    const why = lookup.status === "corrupt" ? `entry corrupt (${lookup.reason})` : "missing";
    const reason = fresh ? null : staleReason(p.parts, state.steps[p.node.name], why, stale);
    out.push({name: p.node.name, key: p.key, fresh, reason});
  }
  return out;
}
