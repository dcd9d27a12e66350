import {existsSync} from "node:fs";
import {dirname, isAbsolute, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import type {z} from "zod";
import type {Config} from "./config.ts";
import {isPlainObject} from "./config.ts";
import {ConfigError} from "../errors.ts";
import type {Step} from "./step.ts";
import {check} from "../steps/check.ts";
import {clean} from "../steps/clean.ts";
import {download} from "../steps/download.ts";
import {evaluate} from "../steps/evaluate.ts";
import {featurize} from "../steps/featurize.ts";
import {ingest} from "../steps/ingest.ts";
import {register} from "../steps/register.ts";
import {split} from "../steps/split.ts";
import {train} from "../steps/train.ts";

/** A step bound to its params: one node of the pipeline graph. */
export interface Node {
  step: Step<unknown>;
  /** Params as the step function receives them. */
  params: unknown;
  /**
   * The params that affect the output, flattened under the config keys a user writes
   * (`split.test_size`), so a stale step can say which key changed. Worker counts are left out.
   */
  identity: Record<string, unknown>;
  /** Data files whose content (never path or mtime) enters the key. */
  sources: string[];
  /** Which upstream step feeds each of the step's input roles. */
  inputs: Record<string, string>;
  /** How transient failures are retried (not part of the key). */
  retries: RetryPolicy;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Seconds before the first retry; doubled before each next one. */
  backoff: number;
}

export interface Graph {
  name: string;
  /** Nodes in topological order. */
  nodes: Node[];
}

/** Builds the pipeline graph from a validated config; checks it before any work runs. */
export function buildGraph(config: Config, configPath: string): Graph {
  const base = dirname(configPath);
  const {target, task} = config.data;
  const data = {format: config.data.format, columns: config.data.columns, sample: config.data.sample};
  const nodes: Node[] = [];
  if (config.data.sql) {
    // A query over named files: every file's content enters the key, and so does the query.
    const tables = Object.fromEntries(
      Object.entries(config.data.tables ?? {}).map(([name, file]) => [name, resolveSource(file, base)])
    );
    nodes.push(
      node(ingest, {
        params: {path: "", tables, sql: config.data.sql, ...data},
        identity: {data: {...data, sql: config.data.sql, tables: Object.keys(tables).sort()}},
        sources: Object.keys(tables)
          .sort()
          .map((name) => tables[name])
      })
    );
  } else if (/^https?:\/\//.test(config.data.source!)) {
    // A remote file is fetched once into the store by its own step; ingest reads the stored copy.
    const url = config.data.source!;
    nodes.push(
      node(download, {
        params: {url, refresh: config.data.refresh},
        identity: {data: {source: url, refresh: config.data.refresh}}
      })
    );
    nodes.push(
      node(ingest, {params: {path: url, ...data}, identity: {data}, inputs: {download: "download"}})
    );
  } else {
    const path = resolveSource(config.data.source!, base);
    nodes.push(node(ingest, {params: {path, ...data}, identity: {data}, sources: [path]}));
  }
  nodes.push(
    node(clean, {params: {...config.clean, target}, identity: {clean: config.clean, data: {target}}})
  );
  if (config.check) {
    // A drift reference file is data: its content enters the key, its path does not.
    // An artifact reference was resolved to its store file when the run started (driftArtifact.ts).
    const reference = config.check.drift?.reference
      ? resolveSource(config.check.drift.reference, base)
      : config.check.drift?.reference_path;
    const params = reference
      ? {...config.check, drift: {...config.check.drift!, reference_path: reference}}
      : config.check;
    // The reference's content enters the key through sources; its path (a store path) does not.
    const drift = config.check.drift && {...config.check.drift, reference_path: undefined};
    nodes.push(
      node(check, {
        params,
        identity: {check: {...config.check, drift}},
        sources: reference ? [reference] : []
      })
    );
  }
  if (config.featurize)
    nodes.push(node(featurize, {params: config.featurize, identity: {featurize: config.featurize}}));
  const classification = task === "classification";
  nodes.push(
    node(split, {
      params: {...config.split, target, classification},
      identity: {split: config.split, data: {target, task}},
      inputs: {data: config.featurize ? "featurize" : "clean"}
    }),
    node(train, {
      params: {
        target,
        task,
        features: config.features,
        transform: config.transform,
        model: config.model,
        ...config.train
      },
      identity: {
        data: {target, task},
        features: config.features,
        transform: config.transform,
        model: modelIdentity(config.model),
        train: {seed: config.train.seed}
      }
    }),
    node(evaluate, {
      // Cross-validation refits the train step's settings in each fold (already in train's key).
      params: {
        ...config.evaluate,
        fit: {transform: config.transform, model: config.model, seed: config.train.seed}
      },
      identity: {evaluate: config.evaluate}
    })
  );
  if (config.register) {
    nodes.push(node(register, {params: config.register, identity: {register: config.register}}));
  }
  for (const n of nodes) {
    const policy = config.retries[n.step.name];
    if (policy) n.retries = policy;
  }
  return {name: config.name, nodes: checkGraph(nodes)};
}

/** Worker counts change how fast a model trains, never what it learns: they stay out of the key. */
const runtimeParams = new Set(["n_jobs"]);

function modelIdentity(model: Config["model"]): Config["model"] {
  return {
    ...model,
    params: Object.fromEntries(Object.entries(model.params).filter(([k]) => !runtimeParams.has(k)))
  };
}

interface NodeOptions<P> {
  params: z.input<Step<P>["params"]>;
  /** Config keys (nested as in the config) whose values affect the output. */
  identity: Record<string, unknown>;
  sources?: string[];
  /** Input role → upstream step; default: each role reads the step of the same name. */
  inputs?: Record<string, string>;
}

function node<P>(step: Step<P>, options: NodeOptions<P>): Node {
  return {
    step: step as unknown as Step<unknown>,
    params: options.params,
    identity: flatten(options.identity),
    sources: options.sources ?? [],
    inputs: options.inputs ?? Object.fromEntries(step.inputs.map((role) => [role, role])),
    // Downloads meet flaky networks: retried by default; other steps fail at once unless configured.
    retries: step.name === "download" ? {attempts: 4, backoff: 1} : {attempts: 1, backoff: 0}
  };
}

/** Unknown inputs, duplicate names and cycles are errors naming the offenders; returns topological order. */
export function checkGraph(nodes: Node[]): Node[] {
  const byName = new Map<string, Node>();
  for (const n of nodes) {
    if (byName.has(n.step.name)) throw new ConfigError(`pipeline: step ${n.step.name} appears twice`);
    byName.set(n.step.name, n);
  }
  for (const n of nodes) {
    for (const role of n.step.inputs) {
      if (!(role in n.inputs))
        throw new ConfigError(`pipeline: step ${n.step.name} has no input bound to ${role}`);
    }
    for (const input of Object.values(n.inputs)) {
      if (!byName.has(input))
        throw new ConfigError(`pipeline: step ${n.step.name} reads ${input}, which no step produces`);
    }
  }
  const order: Node[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: Node, trail: string[]) => {
    const s = state.get(n.step.name);
    if (s === "done") return;
    if (s === "visiting") throw new ConfigError(`pipeline: cycle ${[...trail, n.step.name].join(" → ")}`);
    state.set(n.step.name, "visiting");
    for (const input of Object.values(n.inputs)) visit(byName.get(input)!, [...trail, n.step.name]);
    state.set(n.step.name, "done");
    order.push(n);
  };
  for (const n of nodes) visit(n, []);
  return order;
}

/** Each step's upstream steps. */
export function stepInputs(graph: Graph): Record<string, readonly string[]> {
  return Object.fromEntries(graph.nodes.map((n) => [n.step.name, Object.values(n.inputs)]));
}

/** The named steps plus everything upstream of them, in order. */
export function upstreamClosure(graph: Graph, names: readonly string[]): Node[] {
  const byName = new Map(graph.nodes.map((n) => [n.step.name, n]));
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
    for (const input of Object.values(byName.get(name)!.inputs)) add(input);
  };
  names.forEach(add);
  return graph.nodes.filter((n) => wanted.has(n.step.name));
}

/**
 * Resolves `data.source`: a path relative to the config, an absolute path, or a package path
 * (`vega-datasets/data/penguins.json`) found the way Node finds packages — walking up through
 * node_modules folders — from the config's folder, then from mlbook's own.
 */
export function resolveSource(source: string, base: string): string {
  if (isAbsolute(source)) return source;
  const local = resolve(base, source);
  if (existsSync(local) || source.startsWith(".")) return local;
  const parts = source.split("/");
  const name = source.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const rest = parts.slice(source.startsWith("@") ? 2 : 1).join("/");
  const self = dirname(fileURLToPath(import.meta.url));
  for (const start of [base, self]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name, rest);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return local;
}

export function flatten(
  value: Record<string, unknown>,
  prefix = "",
  out: Record<string, unknown> = {}
): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(v) && Object.keys(v).length) flatten(v, path, out);
    else out[path] = v;
  }
  return out;
}
