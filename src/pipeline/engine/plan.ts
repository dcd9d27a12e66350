import {stat} from "node:fs/promises";
import {DataError} from "../errors.ts";
import {codeDigest} from "./codeDigest.ts";
import {upstreamOf, type Graph, type Node} from "./graph.ts";
import {fileStamp} from "./fileStamp.ts";
import {hashFile, hashValue} from "./hash.ts";

/** The parts a step's key is made of, kept so that a later run can say what changed. */
export interface KeyParts {
  step: string;
  /** Digest of the step's code and of the workspace modules its params name. */
  code: string;
  params: Record<string, unknown>;
  /** Upstream step → its key. */
  inputs: Record<string, string>;
  /** Input role → the upstream output it reads (`clean.data`). */
  reads: Record<string, string>;
  data: string[];
}

export interface PlannedStep {
  node: Node;
  key: string;
  parts: KeyParts;
}

/** The digest of what a node runs: its step's code, and the workspace modules its params name. */
export function nodeCode(node: Node): string {
  const own = node.step.workspace?.digest ?? codeDigest(node.step.module!);
  return node.modules.length ? hashValue({step: own, modules: node.modules.map((m) => m.digest)}) : own;
}

/**
 * Computes every step's key (hashing code and data, running nothing): a Merkle hash of the step's
 * name, code, identity params, data content and its upstream steps' keys. `pinned` fixes some
 * steps' keys (to recorded artifact versions).
 */
export async function plan(
  graph: Graph,
  pinned: ReadonlyMap<string, string> = new Map()
): Promise<PlannedStep[]> {
  const keys = new Map<string, string>();
  const planned: PlannedStep[] = [];
  for (const node of graph.nodes) {
    const data: string[] = [];
    for (const source of node.sources) {
      await regularFile(source);
      data.push(
        await dataDigest(source).catch(() => {
          throw new DataError(`data.source: cannot read ${source}`);
        })
      );
    }
    const parts: KeyParts = {
      step: node.name,
      code: nodeCode(node),
      params: node.identity,
      inputs: Object.fromEntries(upstreamOf(node).map((up) => [up, keys.get(up)!])),
      reads: Object.fromEntries(
        Object.entries(node.inputs).map(([role, b]) => [role, `${b.step}.${b.output}`])
      ),
      data
    };
    const key = pinned.get(node.name) ?? hashValue(parts);
    keys.set(node.name, key);
    planned.push({node, key, parts});
  }
  return planned;
}

/**
 * Data digests by file, with the stamp (statStamp: size, mtime, change time, inode) each was taken
 * at: planning an unchanged file again in one process — a sweep's jobs, a queue worker checking a
 * job before running it, the live preview — reads it once. Any write changes the stamp.
 */
const digests = new Map<string, {stamp: string; digest: string}>();

async function dataDigest(source: string): Promise<string> {
  // The stamp before the read: a file written meanwhile gets a new stamp, so it is read again.
  const stamp = fileStamp(source);
  const known = digests.get(source);
  if (known?.stamp === stamp) return known.digest;
  const digest = await hashFile(source);
  digests.set(source, {stamp, digest});
  return digest;
}

/**
 * Refuses a data source that is not a regular file before anything reads it: hashing a FIFO or
 * a device (/dev/zero) would never end, and a folder is no table.
 */
async function regularFile(source: string): Promise<void> {
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new DataError(`data.source: cannot read ${source} (no such file)`);
  }
  if (info.isFile()) return;
  const kind = info.isDirectory()
    ? "a directory"
    : info.isFIFO()
      ? "a FIFO"
      : info.isCharacterDevice() || info.isBlockDevice()
        ? "a device"
        : info.isSocket()
          ? "a socket"
          : "not a file";
  throw new DataError(`data.source: ${source} is ${kind}, not a regular file`);
}

/** Why a step whose entry is not usable must run, compared with what the last run recorded. */
export function staleReason(
  parts: KeyParts,
  previous: KeyParts | undefined,
  lookup: string,
  staleUpstream: ReadonlySet<string> = new Set()
): string {
  if (!previous) return lookup === "missing" ? "missing" : lookup;
  const changed = Object.keys({...parts.params, ...previous.params})
    .filter((k) => JSON.stringify(parts.params[k]) !== JSON.stringify(previous.params[k]))
    .sort();
  if (changed.length) return `param ${changed.join(", ")} changed`;
  if (parts.code !== previous.code) return `code of ${parts.step} changed`;
  if (JSON.stringify(parts.data) !== JSON.stringify(previous.data)) return "data changed";
  if (JSON.stringify(parts.reads) !== JSON.stringify(previous.reads ?? parts.reads)) return "inputs rebound";
  // Name the upstream steps that are stale now; an input that changed since the last run but is
  // itself fresh (an earlier entry came back) is named only when nothing else explains it.
  const differing = Object.keys(parts.inputs).filter((i) => parts.inputs[i] !== previous.inputs[i]);
  const upstream = differing.filter((i) => staleUpstream.has(i));
  if (upstream.length || differing.length)
    return `upstream ${(upstream.length ? upstream : differing).join(", ")} changed`;
  return lookup;
}
