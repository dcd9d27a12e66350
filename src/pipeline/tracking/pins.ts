import {existsSync} from "node:fs";
import {join} from "node:path";
import type {LoadedConfig} from "../engine/config.ts";
import {ConfigError} from "../errors.ts";
import type {Graph} from "../engine/graph.ts";
import {resolveArtifactFor} from "./resolve.ts";
import {trackingOf} from "./trackingPath.ts";
import {withProject} from "./withProject.ts";

/** How a run resolved one `from:` reference, recorded on the run. */
export interface Pin {
  ref: string;
  name: string;
  version: number;
  step: string;
  key: string;
}

/** Resolves `from:` references to store keys when the run starts; each must still be in the store. */
export async function resolvePins(loaded: LoadedConfig, root: string, graph: Graph): Promise<Pin[]> {
  const steps = new Set(graph.nodes.map((n) => n.step.name));
  const rows = await withProject(trackingOf(loaded, root), async (tx) => {
    const out = [];
    for (const ref of loaded.config.from)
      out.push({ref, artifact: await resolveArtifactFor(tx, ref, loaded.config.name)});
    return out;
  });
  const pins = rows.map(({ref, artifact: a}): Pin => {
    if (!steps.has(a.step))
      throw new ConfigError(`invalid from: ${ref} (made by step ${a.step}, which this pipeline lacks)`);
    if (!existsSync(join(root, "store", a.step, a.key, "manifest.json"))) {
      throw new ConfigError(
        `invalid from: ${ref} is ${a.name}:v${a.version}, whose store entry gc collected`
      );
    }
    return {ref, name: a.name, version: a.version, step: a.step, key: a.key};
  });
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
  const byName = new Map(graph.nodes.map((n) => [n.step.name, n]));
  const fed = new Set(
    graph.nodes.filter((n) => selected.has(n.step.name)).flatMap((n) => Object.values(n.inputs))
  );
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name) || !selected.has(name)) return;
    needed.add(name);
    if (!pinned.has(name)) Object.values(byName.get(name)!.inputs).forEach(visit);
  };
  for (const name of selected) if (!fed.has(name)) visit(name);
  return needed;
}

/** Resolves the config's pins and the steps still needed given them. */
export async function pinSteps(
  loaded: LoadedConfig,
  root: string,
  graph: Graph,
  selected: ReadonlySet<string>
): Promise<{pins: Pin[]; needed: ReadonlySet<string>}> {
  const pins = await resolvePins(loaded, root, graph);
  return {pins, needed: withoutPinnedUpstream(graph, selected, new Set(pins.map((p) => p.step)))};
}
