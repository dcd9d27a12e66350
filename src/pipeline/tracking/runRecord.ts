import {readFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import type {LoadedConfig} from "../engine/config.ts";
import {flatten} from "../engine/graph.ts";
import type {StepRecord} from "../engine/run.ts";
import type {Manifest} from "../engine/store.ts";
import type {Registration} from "../steps/register.ts";
import {artifactName} from "./artifactNames.ts";
import {gitCommit} from "./gitCommit.ts";
import type {Pin} from "./pins.ts";

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
  /** The sweep this run was part of (MLBOOK_SWEEP_ID, set by the sweep runner). */
  sweepId: string | null;
  /** Its part in the sweep (MLBOOK_SWEEP_ROLE); absent in records journaled before roles. */
  sweepRole?: SweepRole | null;
}

/** A sweep run's part: one of its jobs, the steps all jobs share, or registering the winner. */
export type SweepRole = "job" | "shared" | "register";

export interface RunOutcome {
  runId: string;
  configDigest: string;
  startedAt: string;
  steps: StepRecord[];
  /** Each step's upstream steps. */
  inputs: Record<string, readonly string[]>;
  metrics: Record<string, unknown> | null;
  headline: Record<string, number>;
  /** How `from:` references resolved when the run started. */
  pins: Pin[];
  error: unknown;
}

/** Builds the record of a finished (or failed) run from its outcome and the store's manifests. */
export async function buildRunRecord(
  loaded: LoadedConfig,
  root: string,
  outcome: RunOutcome
): Promise<RunRecord> {
  const {config} = loaded;
  const artifacts: ArtifactRecord[] = [];
  const byStep = new Map<string, string[]>();
  let registration: RunRecord["registration"] = null;
  for (const step of outcome.steps) {
    const dir = join(root, "store", step.name, step.key);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
    const names: string[] = [];
    const outputs = [
      ...Object.keys(manifest.tables).map((o) => ({output: o, kind: "table" as const, file: `${o}.parquet`})),
      ...manifest.json.map((o) => ({output: o, kind: "json" as const, file: `${o}.json`}))
    ];
    for (const {output, kind, file} of outputs) {
      const named = artifactName(config.artifacts, step.name, output, kind);
      const upstream = (outcome.inputs[step.name] ?? []).flatMap((s) => byStep.get(s) ?? []);
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
    if (step.name === "register") {
      const decision = JSON.parse(await readFile(join(dir, "decision.json"), "utf8")) as Registration;
      registration = {
        ...decision,
        artifact: artifactName(config.artifacts, "register", "model", "json").name
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
    sweepId: process.env.MLBOOK_SWEEP_ID ?? null,
    sweepRole: process.env.MLBOOK_SWEEP_ID ? sweepRole(process.env.MLBOOK_SWEEP_ROLE) : null,
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

function sweepRole(text: string | undefined): SweepRole {
  return text === "shared" || text === "register" ? text : "job";
}
