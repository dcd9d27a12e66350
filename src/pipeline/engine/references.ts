import {existsSync} from "node:fs";
import {join} from "node:path";
import {ConfigError} from "../errors.ts";
import type {Graph} from "./graph.ts";
import type {Pin, RunContext, RunHooks} from "./hooks.ts";
import type {ArtifactVersion, ResolvedArtifact} from "./step.ts";

/** Asks the hooks, in order, for a reference; an error when none knows it. */
async function resolveWithHooks(
  ref: string,
  what: string,
  hooks: readonly RunHooks[],
  run: RunContext
): Promise<ArtifactVersion> {
  for (const hook of hooks) {
    const found = await hook.resolveArtifact?.(ref, run);
    if (found) return found;
  }
  throw new ConfigError(
    `invalid ${what}: ${ref} (no run hook resolves artifact references: run it with tracking)`
  );
}

/** Every artifact reference a config makes: its steps' (a drift reference) and its `from:` pins. */
export function artifactRefs(loaded: RunContext["loaded"]): string[] {
  const {config, catalog} = loaded;
  const refs = catalog.steps.flatMap((step) => step.references?.(config) ?? []);
  refs.push(...((config.from as string[] | undefined) ?? []));
  return [...new Set(refs)];
}

/**
 * The artifact references the catalog's steps take from the config (a drift reference), resolved
 * through the run's hooks to their stored files, for the steps' configure.
 */
export async function resolveReferences(
  run: RunContext,
  hooks: readonly RunHooks[]
): Promise<Map<string, ResolvedArtifact>> {
  const {config, catalog} = run.loaded;
  const out = new Map<string, ResolvedArtifact>();
  for (const step of catalog.steps) {
    for (const ref of step.references?.(config) ?? []) {
      if (out.has(ref)) continue;
      const found = await resolveWithHooks(ref, `artifact reference of step ${step.name}`, hooks, run);
      const dir = join(run.root, "store", found.step, found.key);
      const file = [`${found.output}.parquet`, `${found.output}.json`, found.output]
        .map((name) => join(dir, name))
        .find(existsSync);
      if (!file)
        throw new ConfigError(
          `invalid reference ${ref}: ${found.name}:v${found.version}'s store entry was collected by gc`
        );
      out.set(ref, {...found, file});
    }
  }
  return out;
}

/** Resolves the config's `from:` pins to store keys; each must name a step of the graph still in the store. */
export async function resolvePins(run: RunContext, graph: Graph, hooks: readonly RunHooks[]): Promise<Pin[]> {
  const steps = new Set(graph.nodes.map((n) => n.name));
  const pins: Pin[] = [];
  for (const ref of (run.loaded.config.from as string[] | undefined) ?? []) {
    const a = await resolveWithHooks(ref, "from", hooks, run);
    if (!steps.has(a.step))
      throw new ConfigError(`invalid from: ${ref} (made by step ${a.step}, which this pipeline lacks)`);
    if (!existsSync(join(run.root, "store", a.step, a.key, "manifest.json")))
      throw new ConfigError(
        `invalid from: ${ref} is ${a.name}:v${a.version}, whose store entry gc collected`
      );
    pins.push({ref, name: a.name, version: a.version, step: a.step, key: a.key});
  }
  const clash = pins.find((p, i) => pins.some((q, j) => j < i && q.step === p.step && q.key !== p.key));
  if (clash)
    throw new ConfigError(
      `invalid from: ${clash.ref} pins step ${clash.step} a second time, to other content`
    );
  return pins;
}

/** The selected steps still needed once pinned steps stand in for everything upstream of them. */
export function withoutPinnedUpstream(
  graph: Graph,
  selected: ReadonlySet<string>,
  pinned: ReadonlySet<string>
): Set<string> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const upstream = (name: string) => Object.values(byName.get(name)!.inputs).map((b) => b.step);
  const fed = new Set(graph.nodes.filter((n) => selected.has(n.name)).flatMap((n) => upstream(n.name)));
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name) || !selected.has(name)) return;
    needed.add(name);
    if (!pinned.has(name)) upstream(name).forEach(visit);
  };
  for (const name of selected) if (!fed.has(name)) visit(name);
  return needed;
}

/**
 * The graph as a pinned run sees it: a pinned step stands in for everything upstream of it, so a
 * step after it that also reads a step upstream of it (train reading how clean replays on new
 * rows) no longer does — that output need not match the pinned artifact. Such an optional input is
 * left unbound; a required one is an error naming both.
 */
export function cutAtPins(graph: Graph, pins: readonly Pin[]): Graph {
  if (!pins.length) return graph;
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const upstream = new Set<string>();
  const climb = (name: string) => {
    for (const b of Object.values(byName.get(name)!.inputs)) {
      if (upstream.has(b.step)) continue;
      upstream.add(b.step);
      climb(b.step);
    }
  };
  for (const pin of pins) climb(pin.step);
  const pinned = new Set(pins.map((p) => p.step));
  const nodes = graph.nodes.map((node) => {
    if (upstream.has(node.name) || pinned.has(node.name)) return node;
    const cut = Object.entries(node.inputs).filter(([, b]) => upstream.has(b.step));
    if (!cut.length) return node;
    const required = cut.find(([role]) => !node.step.inputs[role]?.optional);
    if (required)
      throw new ConfigError(
        `invalid from: step ${node.name} reads ${required[1].step}.${required[1].output}, which a pinned artifact stands in for`
      );
    const inputs = Object.fromEntries(Object.entries(node.inputs).filter(([, b]) => !upstream.has(b.step)));
    return {...node, inputs};
  });
  return {...graph, nodes};
}
