import {dirname} from "node:path";
import {ConfigError} from "../errors.ts";
import type {NamedStep} from "./catalog.ts";
import {configureEnv} from "./configureEnv.ts";
import type {LoadedConfig} from "./loadedConfig.ts";
import {flatten} from "./plainObject.ts";
import type {OutputKind, ResolvedArtifact, RetryPolicy, StepPlan, WorkspaceModule} from "./step.ts";

/** The upstream output an input role reads. */
export interface Binding {
  step: string;
  output: string;
}

/** A step bound to its params: one node of the pipeline graph. */
export interface Node {
  name: string;
  step: NamedStep;
  /** Params as the step function receives them. */
  params: unknown;
  /**
   * The params that affect the output, flattened under the config keys a user writes
   * (`split.test_size`), so a stale step can say which key changed. Worker counts are left out.
   */
  identity: Record<string, unknown>;
  /** Data files whose content (never path or mtime) enters the key. */
  sources: string[];
  /** Input role → the upstream output it reads. */
  inputs: Record<string, Binding>;
  /** How transient failures are retried (not part of the key). */
  retries: RetryPolicy;
  /** Workspace modules its params name (a model module): their digests enter its key. */
  modules: WorkspaceModule[];
}

export interface Graph {
  name: string;
  /** Nodes in pipeline order, which is a topological order. */
  nodes: Node[];
  /** What the pipeline's data is called in error messages: the first label a step gives (`data.csv`). */
  data: string | undefined;
  /** Paths of the project that resolving its data paths looked at (see ConfigureEnv.resolveSource). */
  probed: string[];
}

const noRetries: RetryPolicy = {attempts: 1, backoff: 0};

/**
 * Builds the pipeline graph: a loop over the catalog's steps, each asked how the config makes its
 * node (or leaves it out), then the workspace's steps placed where their config entries say.
 * Input roles bind to upstream outputs — explicitly, or by name, to the nearest earlier step with
 * an output of that name and kind (`data`: the data chain) — and the graph is checked (unknown inputs, kinds that do not match, two
 * outputs of one artifact name, cycles) before any work runs.
 */
export function buildGraph(
  loaded: LoadedConfig,
  options: {artifacts?: ReadonlyMap<string, ResolvedArtifact>} = {}
): Graph {
  const {config, catalog} = loaded;
  const probed = new Set<string>();
  const env = configureEnv(dirname(loaded.path), loaded.modules, options.artifacts, probed);
  const entries = config.steps;
  const plans: {step: NamedStep; plan: StepPlan}[] = [];
  const placedLater: NamedStep[] = [];
  for (const step of catalog.steps) {
    if (!step.workspace) {
      const plan = step.configure!(config, env);
      if (plan) plans.push({step, plan});
    } else if (entries[step.name]?.override) plans.push({step, plan: workspacePlan(step, entries)});
    else placedLater.push(step);
  }
  const afterOf = new Map<string, string>();
  for (const step of placedLater) {
    const entry = entries[step.name];
    const reads = Object.values(entry.inputs).map((ref) => ref.split(".")[0]);
    const target = entry.after ?? lastOf(plans, reads);
    const key = `steps.${step.name}.after`;
    let at: number;
    if (target === undefined) {
      if ("data" in step.inputs)
        throw new ConfigError(
          `${where(loaded, ["steps", step.name])}: invalid ${key}: missing (say which step it follows: after: clean, say)`
        );
      at = plans.findIndex((p) => p.step.final);
      if (at < 0) at = plans.length;
    } else {
      const index = plans.findIndex((p) => p.step.name === target);
      if (index < 0)
        throw new ConfigError(
          `${where(loaded, ["steps", step.name, "after"])}: invalid ${key}: ${JSON.stringify(target)} is not a step of this pipeline (steps: ${plans.map((p) => p.step.name).join(", ")})`
        );
      // Steps placed after the same step keep the config's order.
      at = index + 1;
      while (at < plans.length && afterOf.get(plans[at].step.name) === target) at++;
    }
    afterOf.set(step.name, target ?? "");
    plans.splice(at, 0, {step, plan: workspacePlan(step, entries)});
  }

  const nodes: Node[] = [];
  for (const {step, plan} of plans) {
    nodes.push({
      name: step.name,
      step,
      params: plan.params,
      identity: flatten(plan.identity ?? {}),
      sources: [...(plan.sources ?? [])],
      inputs: bind(step, plan, nodes, loaded),
      retries:
        (config.retries as Record<string, RetryPolicy> | undefined)?.[step.name] ?? step.retries ?? noRetries,
      modules: (step.modules?.(config) ?? []).map((m) => env.module(m.path))
    });
  }
  const data = plans.find((p) => p.plan.label !== undefined)?.plan.label;
  return {name: config.name, nodes: checkGraph(nodes), data, probed: [...probed]};
}

/** A workspace step's node: its params from its entry, which are also its identity. */
function workspacePlan(step: NamedStep, entries: LoadedConfig["config"]["steps"]): StepPlan {
  const entry = entries[step.name];
  return {
    params: entry.params,
    identity: {steps: {[step.name]: {params: entry.params}}},
    inputs: entry.inputs
  };
}

/** The last step of `names` in pipeline order, or undefined when it reads none. */
function lastOf(plans: {step: NamedStep}[], names: readonly string[]): string | undefined {
  let last: string | undefined;
  for (const p of plans) if (names.includes(p.step.name)) last = p.step.name;
  return last;
}

/** Binds each input role of a step to an upstream output. */
function bind(
  step: NamedStep,
  plan: StepPlan,
  before: readonly Node[],
  loaded: LoadedConfig
): Record<string, Binding> {
  const bound: Record<string, Binding> = {};
  const given = plan.inputs ?? {};
  const key = (role: string) =>
    step.workspace ? `steps.${step.name}.inputs.${role}` : `step ${step.name} input ${role}`;
  const fail = (role: string, message: string): never => {
    const at = step.workspace ? `${where(loaded, ["steps", step.name, "inputs", role])}: ` : "pipeline: ";
    throw new ConfigError(`${at}invalid ${key(role)}: ${message}`);
  };
  for (const role of Object.keys(given))
    if (!(role in step.inputs))
      fail(role, `the step has no input ${role} (inputs: ${Object.keys(step.inputs).join(", ") || "none"})`);
  for (const [role, spec] of Object.entries(step.inputs)) {
    const ref = given[role];
    if (ref === undefined) {
      // By name: the nearest earlier step with an output of this name and kind (the data chain,
      // and the inference pipeline that travels beside it).
      const head = [...before].reverse().find((n) => n.step.outputs[role]?.kind === spec.kind);
      if (head) {
        bound[role] = {step: head.name, output: role};
        continue;
      }
      if (spec.optional) continue;
      fail(role, "not bound to any output (give it as step.output)");
    }
    const [name, output] = ref.split(".");
    const upstream = before.find((n) => n.name === name);
    if (!upstream)
      fail(
        role,
        `${JSON.stringify(ref)}: no earlier step ${name} (steps before it: ${before.map((n) => n.name).join(", ") || "none"})`
      );
    const outputs = Object.entries(upstream!.step.outputs).filter(([, o]) => o.kind === spec.kind);
    const chosen = output ?? (outputs.length === 1 ? outputs[0][0] : undefined);
    if (chosen === undefined)
      fail(
        role,
        `${JSON.stringify(ref)}: say which ${spec.kind} output of ${name} (${outputs.map(([o]) => o).join(", ") || "it has none"})`
      );
    const kind = upstream!.step.outputs[chosen!]?.kind as OutputKind | undefined;
    if (!kind)
      fail(
        role,
        `${JSON.stringify(ref)}: ${name} has no output ${chosen} (outputs: ${Object.keys(upstream!.step.outputs).join(", ")})`
      );
    if (kind !== spec.kind)
      fail(role, `${JSON.stringify(ref)} is a ${kind}, but the input is a ${spec.kind}`);
    bound[role] = {step: name, output: chosen!};
  }
  return bound;
}

function where(loaded: LoadedConfig, path: (string | number)[]): string {
  return loaded.locate?.(path) ?? loaded.path;
}

/** Unknown inputs, duplicate names, outputs of one artifact name and cycles are errors naming the offenders; returns topological order. */
export function checkGraph(nodes: Node[]): Node[] {
  const byName = new Map<string, Node>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw new ConfigError(`pipeline: step ${n.name} appears twice`);
    byName.set(n.name, n);
  }
  const artifacts = new Map<string, string>();
  for (const n of nodes) {
    for (const [output, spec] of Object.entries(n.step.outputs)) {
      const name = spec.artifact ?? `${n.name}_${output}`;
      const other = artifacts.get(name);
      if (other)
        throw new ConfigError(`pipeline: ${other} and ${n.name}.${output} both make artifact ${name}`);
      artifacts.set(name, `${n.name}.${output}`);
    }
    for (const [role, input] of Object.entries(n.inputs)) {
      if (!byName.has(input.step))
        throw new ConfigError(
          `pipeline: step ${n.name} reads ${input.step} (as ${role}), which no step produces`
        );
    }
  }
  const order: Node[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: Node, trail: string[]) => {
    const s = state.get(n.name);
    if (s === "done") return;
    if (s === "visiting") throw new ConfigError(`pipeline: cycle ${[...trail, n.name].join(" → ")}`);
    state.set(n.name, "visiting");
    for (const input of upstreamOf(n)) visit(byName.get(input)!, [...trail, n.name]);
    state.set(n.name, "done");
    order.push(n);
  };
  for (const n of nodes) visit(n, []);
  return order;
}

/** The steps a node reads, each once, in role order. */
export function upstreamOf(node: Node): string[] {
  return [...new Set(Object.values(node.inputs).map((b) => b.step))];
}

/** Each step's upstream steps. */
export function stepInputs(graph: Graph): Record<string, readonly string[]> {
  return Object.fromEntries(graph.nodes.map((n) => [n.name, upstreamOf(n)]));
}

/** The named steps plus everything upstream of them, in order. */
export function upstreamClosure(graph: Graph, names: readonly string[]): Node[] {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  for (const name of names) {
    if (!byName.has(name)) {
      throw new ConfigError(
        `invalid --steps: ${JSON.stringify(name)} (expected one of ${[...byName.keys()].join(", ")})`
      );
    }
  }
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const input of upstreamOf(byName.get(name)!)) add(input);
  };
  names.forEach(add);
  return graph.nodes.filter((n) => wanted.has(n.name));
}

/** The node and output that make an artifact, by the name its step gives it (`metrics`, `clean_data`). */
export function producerOf(graph: Graph, artifact: string): {node: Node; output: string} | undefined {
  for (const node of graph.nodes) {
    for (const [output, spec] of Object.entries(node.step.outputs))
      if ((spec.artifact ?? `${node.name}_${output}`) === artifact) return {node, output};
  }
  return undefined;
}

/** The outputs of one artifact type (`metrics`, `registration`) across the graph, in order. */
export function outputsOfType(graph: Graph, type: string): {node: Node; output: string}[] {
  return graph.nodes.flatMap((node) =>
    Object.entries(node.step.outputs)
      .filter(([, spec]) => spec.type === type)
      .map(([output]) => ({node, output}))
  );
}
