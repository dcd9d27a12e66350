import {loadConfig, type Loaded} from "../pipeline/builtins.ts";
import {buildGraph, type Graph} from "../pipeline/engine/graph.ts";
import {plan, type PlannedStep} from "../pipeline/engine/plan.ts";

/** Plans by config file, shared by the loaders of one pipeline: planning hashes the data. */
export type PlanCache = Map<string, Planning>;
type Planning = Promise<{loaded: Loaded; graph: Graph; planned: PlannedStep[]}>;

/** A config's plan (every step's key; nothing runs), made once per cache and shared. */
export function planOf(file: string, plans: PlanCache): Planning {
  let planning = plans.get(file);
  if (!planning) {
    planning = loadConfig(file).then(async (loaded) => {
      const graph = buildGraph(loaded);
      return {loaded, graph, planned: await plan(graph)};
    });
    plans.set(file, planning);
  }
  return planning;
}
