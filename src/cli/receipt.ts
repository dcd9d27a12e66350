/**
 * The all-fresh fast path of `mlbook run`. After a run, the CLI leaves a receipt: the stamp (size,
 * mtime, inode) of every file the run's keys and lookups read — the config, each step's code and
 * what it imports, the data, every file of every store entry — and what the run printed. When the
 * same command runs again and every stamp still matches, nothing a key is made of has changed and
 * every entry is as it was verified, so the run is all fresh: the receipt is replayed (new run id,
 * journaled like any all-fresh run) without loading the config schema, the steps or DuckDB. Any
 * mismatch, or any doubt, falls through to the full run, which checks everything itself.
 *
 * This module is loaded before the CLI (bin/mlbook.js): it imports only node built-ins and small
 * leaf modules.
 */
import {createHash} from "node:crypto";
import {readFileSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {fileStamp} from "../pipeline/engine/fileStamp.ts";
import type {StepRecord} from "../pipeline/engine/runTypes.ts";
import {newRunId} from "../pipeline/engine/runId.ts";
import {gitCommit} from "../pipeline/tracking/gitCommit.ts";
import {writePending} from "../pipeline/tracking/journal.ts";
import type {RunRecord} from "../pipeline/tracking/runRecord.ts";
import {formatStep, runJson, runLine} from "./format.ts";

export const RECEIPT_VERSION = 2;

/** [absolute path, stamp]; the stamp "absent" is for a file that must not exist. */
export type Stamped = [string, string];

export interface Receipt {
  version: number;
  /** Stamp of the CLI bundle that wrote it: another build may print differently. */
  bundle: string;
  /** Files the whole run depended on: the config, data paths that must stay absent. */
  files: Stamped[];
  pipeline: string;
  configDigest: string;
  /** What the run printed above its steps, and below them (the metrics). */
  header: string;
  metricLines: string[];
  /** Each step with the files its key and lookup read: code, data and its store entry. */
  steps: (Pick<StepRecord, "name" | "key" | "rows"> & {files: Stamped[]})[];
  headline: Record<string, number>;
  /** The run's tracking record with every step fresh; id, times and git commit are filled in on replay. */
  record: RunRecord;
}

/**
 * The config file a `mlbook run` command line names, or undefined when the line has anything but
 * overrides, --config, --steps and --json (a sweep, pins, help …): those always take the full path.
 */
export function configArg(args: readonly string[]): string | undefined {
  let config: string | undefined = "mlbook.yaml";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-c" || a === "--config") config = args[++i];
    else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else if (a === "-s" || a === "--steps") i++;
    else if (a.startsWith("--steps=") || a === "--json") continue;
    else if (a.startsWith("-")) return undefined;
  }
  return config;
}

/** Where the receipt of one command line (in one working folder) lives. */
export function receiptPath(root: string, args: readonly string[], cwd = process.cwd()): string {
  const id = createHash("sha256")
    .update(JSON.stringify([cwd, ...args]))
    .digest("hex")
    .slice(0, 24);
  return join(root, "receipts", `${id}.json`);
}

/** The bundle the CLI runs from: a rebuilt CLI may print differently, so it is stamped too. */
export const bundleEntry = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "lib", "main.js");

/**
 * Replays the receipt of `mlbook run <args>` when every stamp matches; returns false (having
 * printed and written nothing) otherwise.
 */
export async function replayReceipt(args: readonly string[]): Promise<boolean> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  if (process.env.MLBOOK_NO_RECEIPT === "1") return false;
  const config = configArg(args);
  if (config === undefined) return false;
  const root = join(dirname(resolve(config)), ".mlbook");
  let receipt: Receipt;
  try {
    receipt = JSON.parse(readFileSync(receiptPath(root, args), "utf8")) as Receipt;
  } catch {
    return false;
  }
  if (receipt.version !== RECEIPT_VERSION) return false;
  const unchanged = (files: Stamped[]) => files.every(([path, stamp]) => fileStamp(path) === stamp);
  if (receipt.bundle !== fileStamp(bundleEntry) || !unchanged(receipt.files)) return false;
  const steps: StepRecord[] = [];
  for (const {files, ...step} of receipt.steps) {
    const t0 = performance.now();
    if (!unchanged(files)) return false;
    steps.push({...step, status: "fresh", reason: null, durationMs: performance.now() - t0});
  }
  const runId = newRunId();
  const json = args.includes("--json");
  if (!json) {
    console.log(receipt.header);
    for (const step of steps) console.log(formatStep(step));
  }
  await writePending(root, {
    ...receipt.record,
    id: runId,
    gitCommit: gitCommit(dirname(resolve(config))),
    startedAt,
    endedAt: new Date().toISOString(),
    steps: receipt.record.steps.map((s, i) => ({...s, durationMs: steps[i]?.durationMs ?? 0}))
  });
  const durationMs = performance.now() - started;
  if (json) {
    const {pipeline, configDigest, headline} = receipt;
    console.log(runJson({runId, pipeline, configDigest, durationMs, steps, headline}));
  } else {
    for (const line of receipt.metricLines) console.log(line);
    console.log(runLine(runId, durationMs));
  }
  return true;
}
