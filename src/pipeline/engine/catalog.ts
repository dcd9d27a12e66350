import type {z} from "zod";
import {ConfigError} from "../errors.ts";
import {coreSections, stepNamePattern} from "./coreConfig.ts";
import type {Config, ConfigIssue, ConfigureEnv, Step, WorkspaceModule} from "./step.ts";

/** Config sections that belong to no step: an add-on's (tracking's database, a sweep). */
export interface ConfigAddOn {
  name: string;
  sections: Readonly<Record<string, z.ZodType>>;
  /** Rules across sections, on the validated config. */
  validate?(config: Config, env: ConfigureEnv): ConfigIssue[];
}

/**
 * A step with its name, as the catalog holds it; a workspace step keeps the module it came from,
 * and, when it is a link of the data chain, how the inference pipeline passes it: replaying its
 * module, or starting again from what it writes.
 */
export type NamedStep = Step & {name: string; workspace?: WorkspaceModule; inference?: "module" | "restart"};

/**
 * What a pipeline can be made of: its steps in pipeline order (the built-in ones, and once a config
 * is loaded, the workspace's) and the add-ons' config sections. The engine knows steps only
 * through a catalog: nothing in it names one.
 */
export interface Catalog {
  steps: readonly NamedStep[];
  addOns: readonly ConfigAddOn[];
}

/**
 * A catalog of `steps` (in pipeline order) and `addOns`. Refuses two steps of one name, a step
 * without a module or configure (built-in steps need both), and two owners of one config section.
 */
export function createCatalog(steps: readonly Step[], addOns: readonly ConfigAddOn[] = []): Catalog {
  const names = new Set<string>();
  const owners = new Map<string, string>(Object.keys(coreSections).map((k) => [k, "the engine"]));
  for (const step of steps) {
    if (!step.name || !stepNamePattern.test(step.name))
      throw new ConfigError(`catalog: invalid step name ${JSON.stringify(step.name)}`);
    if (names.has(step.name)) throw new ConfigError(`catalog: step ${step.name} is registered twice`);
    if (!step.module || !step.configure)
      throw new ConfigError(`catalog: step ${step.name} needs a module (import.meta.url) and configure`);
    names.add(step.name);
  }
  for (const [owner, sections] of [
    ...steps.map((s) => [`step ${s.name}`, s.sections ?? {}] as const),
    ...addOns.map((a) => [a.name, a.sections] as const)
  ]) {
    for (const section of Object.keys(sections)) {
      const other = owners.get(section);
      if (other) throw new ConfigError(`catalog: config section ${section} belongs to ${other} and ${owner}`);
      owners.set(section, owner);
    }
  }
  return {steps: steps as NamedStep[], addOns};
}

/** Every config section of the catalog with its schema: the engine's, the steps', the add-ons'. */
export function catalogSections(catalog: Catalog): Record<string, z.ZodType> {
  return Object.assign(
    {},
    coreSections,
    ...catalog.steps.map((s) => s.sections ?? {}),
    ...catalog.addOns.map((a) => a.sections)
  ) as Record<string, z.ZodType>;
}
