import {readFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import {artifactName} from "../engine/artifactName.ts";
import {upstreamOf} from "../engine/graph.ts";
import type {Pin, RunOutcome} from "../engine/hooks.ts";
import {flatten} from "../engine/plainObject.ts";
import type {Registration} from "../engine/registration.ts";
import type {Manifest} from "../engine/store.ts";
import {gitCommit} from "./gitCommit.ts";

/** One step output as this run saw it; versions are assigned when the record is written. */
export interface ArtifactRecord {
  name: string;
  type: string;
  description: string | null;
  step: string;
  output: string;
  /** The store entry's key. */
  key: string;
  /** sha256 of the output file: equal content, equal version. */
  digest: string;
  rows: number | null;
  bytes: number;
  /** Names of the artifacts this one was computed from. */
  upstream: string[];
}

export interface MetricRecord {
  key: string;
  value: number;
  step: number | null;
}

/** Everything tracking stores about one run: plain JSON, so it can wait in a journal file. */
export interface RunRecord {
  id: string;
  pipeline: string;
  configDigest: string;
  gitCommit: string | null;
  startedAt: string;
  endedAt: string;
  status: "ok" | "failed";
  error: string | null;
  params: Record<string, unknown>;
  metrics: MetricRecord[];
  steps: {name: string; key: string; status: string; reason: string | null; durationMs: number}[];
  artifacts: ArtifactRecord[];
  registration: (Registration & {artifact: string}) | null;
  pins: Pin[];
  /** The sweep this run was part of. */
  sweepId: string | null;
  /** Its part in the sweep; absent in records journaled before roles. */
  sweepRole?: SweepRole | null;
  /** "preview" for a run the live preview made (it registers no model); absent otherwise. */
  source?: "preview" | null;
}

/**
 * A sweep run's part: one of its jobs, the steps all jobs share, or the selected job's final steps
 * (registering it). Records journaled before version 5 of the schema may carry an older name
 * (see legacySweepRole).
 */
export type SweepRole = "job" | "shared" | "winner";

/** What a record is made from: a run's outcome (see engine/hooks.ts). */
export type RecordInput = Pick<
  RunOutcome,
  | "loaded"
  | "root"
  | "graph"
  | "runId"
  | "configDigest"
  | "startedAt"
  | "steps"
  | "headline"
  | "metrics"
  | "pins"
  | "error"
>;

/** The sweep a run belongs to, and its part in it. */
export interface SweepPart {
  id: string;
  role: SweepRole;
}

/** Builds the record of a finished (or failed) run from its outcome and the store's manifests. */
export async function buildRunRecord(
  outcome: RecordInput,
  sweep?: SweepPart,
  source?: "preview"
): Promise<RunRecord> {
  const {loaded, root, graph} = outcome;
  const {config} = loaded;
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  const artifacts: ArtifactRecord[] = [];
  const byStep = new Map<string, string[]>();
  let registration: RunRecord["registration"] = null;
  for (const step of outcome.steps) {
    const node = nodes.get(step.name);
    if (!node) continue;
    const dir = join(root, "store", step.name, step.key);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
    const names: string[] = [];
    const outputs = [
      ...Object.keys(manifest.tables).map((o) => ({output: o, file: `${o}.parquet`})),
      ...manifest.json.map((o) => ({output: o, file: `${o}.json`}))
    ];
    const upstream = upstreamOf(node).flatMap((s) => byStep.get(s) ?? []);
    for (const {output, file} of outputs) {
      // How to replay a step on new rows travels inside the model bundle: not an artifact of its own.
      if (node.step.outputs[output]?.type === "inference") continue;
      const named = artifactName(config.artifacts, node, output);
      const checksum = manifest.files[file];
      if (!checksum) continue;
      const {sha256, bytes} = checksum;
      artifacts.push({
        ...named,
        step: step.name,
        output,
        key: step.key,
        digest: sha256,
        rows: manifest.tables[output] ?? null,
        bytes,
        upstream
      });
      names.push(named.name);
    }
    byStep.set(step.name, names);
    // A gating step's decision: its named output is registered when it passed (engine/registration.ts).
    for (const [output, spec] of Object.entries(node.step.outputs)) {
      if (spec.type !== "registration" || !manifest.json.includes(output)) continue;
      const decision = JSON.parse(await readFile(join(dir, `${output}.json`), "utf8")) as Registration;
      registration = {...decision, artifact: artifactName(config.artifacts, node, decision.output).name};
      // An edit previewed is not a model shipped: the live preview's runs register nothing.
      if (source === "preview" && registration.passed)
        registration = {
          ...registration,
          passed: false,
          reason: "a live-preview run registers no model (mlbook run registers it)"
        };
    }
  }
  const metrics: MetricRecord[] = Object.entries(outcome.headline).map(([key, value]) => ({
    key,
    value,
    step: null
  }));
  const perClass = (outcome.metrics?.perClass ?? []) as {
    class: string;
    precision: number;
    recall: number;
    f1: number;
  }[];
  for (const c of perClass) {
    for (const k of ["precision", "recall", "f1"] as const)
      metrics.push({key: `${k}.${c.class}`, value: c[k], step: null});
  }
  const error = outcome.error;
  return {
    id: outcome.runId,
    sweepId: sweep?.id ?? null,
    sweepRole: sweep?.role ?? null,
    ...(source ? {source} : {}),
    pipeline: config.name,
    configDigest: outcome.configDigest,
    gitCommit: gitCommit(dirname(loaded.path)),
    startedAt: outcome.startedAt,
    endedAt: new Date().toISOString(),
    status: error ? "failed" : "ok",
    error: error ? (error instanceof Error ? error.message : String(error)) : null,
    params: flatten(config as unknown as Record<string, unknown>),
    metrics,
    steps: outcome.steps.map((s) => ({
      name: s.name,
      key: s.key,
      status: s.status,
      reason: s.reason,
      durationMs: s.durationMs
    })),
    artifacts,
    registration,
    pins: outcome.pins
  };
}
