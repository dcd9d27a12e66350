import {readFileSync} from "node:fs";
import {fileURLToPath, pathToFileURL} from "node:url";
import {basename, join} from "node:path";
import {codeDigest} from "../pipeline/engine/codeDigest.ts";
import {producerOf} from "../pipeline/engine/graph.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {planOf, type PlanCache} from "../loaders/planOf.ts";
import {
  pageLoaderCode,
  readReadsRecord,
  seenNow,
  type PageRead,
  type ReadsRecord
} from "../loaders/pageReads.ts";
import {everyPipeline, loaderArtifacts, loaderTracking} from "./loaderReads.ts";
import {trackingDigest} from "./trackingDigest.ts";
import type {LoaderFile} from "./loaders.ts";
import {listPipelines} from "./pipelines.ts";

/** mlbook's page-data module, and its steps (whose code is in the keys). */
const mlbookLoaders = new URL("../loaders/index.ts", import.meta.url);
const mlbookSteps = fileURLToPath(new URL("../pipeline/steps", import.meta.url));

export interface LoaderFingerprint {
  fingerprint: string;
  /** Keys of the steps the loader reads (`<pipeline>/<step>` for a loader reading every pipeline). */
  keys: Record<string, string>;
  /** Digest of the loader's code and everything it imports. */
  code: string;
  /** Digest of the config as written, or null when the loader reads only step outputs. */
  config: string | null;
  /** Digest of the runs or registry the loader shows from tracking, or null when it shows neither. */
  tracking: string | null;
  /**
   * For a loader that recorded its reads (`pageLoader`): null when its code and every read would
   * find what they found when its output was made, else what changed. Its staleness is this.
   */
  recorded?: string | null;
}

/**
 * What a loader's output depends on: its own code (and everything it imports, short of the step modules),
 * the keys of the steps making the artifacts it reads (see loaderReads.ts), and — for loaders that show the config or
 * the whole run — the config itself, and what it shows from tracking. A loader showing every
 * pipeline (the home page's) takes all of that from each. Framework only looks at the loader
 * file's mtime; this fingerprint is what mlbook compares instead.
 */
export async function loaderFingerprint(
  projectRoot: string,
  loader: LoaderFile,
  plans: PlanCache = new Map()
): Promise<LoaderFingerprint> {
  const file = join(projectRoot, "docs", loader.loader);
  const source = readFileSync(file, "utf8");
  const record = /\bpageLoader\b/.test(source) ? readReadsRecord(projectRoot, loader.target) : undefined;
  if (record) return recordedFingerprint(projectRoot, file, record, plans);
  const name = basename(loader.target);
  const reads = loaderArtifacts[name];
  const shows = loaderTracking[name];
  const configs = everyPipeline.has(name)
    ? Object.entries(listPipelines(projectRoot))
    : [[null, loader.config] as const];
  const keys: Record<string, string> = {};
  const configDigests: string[] = [];
  const trackingDigests: string[] = [];
  for (const [pipeline, file] of configs) {
    const {loaded, graph, planned} = await planOf(file, plans);
    const steps = reads && new Set(reads.flatMap((a) => producerOf(graph, a)?.node.name ?? []));
    for (const p of planned)
      if (!steps || steps.has(p.node.name))
        keys[pipeline ? `${pipeline}/${p.node.name}` : p.node.name] = p.key;
    configDigests.push(hashValue(loaded.raw));
    if (shows) trackingDigests.push(await trackingDigest(loaded, shows));
  }
  // Step modules are left out: their code is in the keys of the steps the loader reads, so a
  // change to one step's code makes stale only the loaders that read that step.
  const own = codeDigest(pathToFileURL(file).href, {except: join(projectRoot, "src", "pipeline", "steps")});
  // A loader reading through the package (`mlbook/loaders`, as mlbook's own and a workspace's
  // do) is not followed by a digest of local imports: the page code it runs is the modules of
  // mlbook's loaders it names, so their digest joins in.
  const code = source.includes('"mlbook/loaders"') ? hashValue({own, mlbook: loadersDigest(source)}) : own;
  // One pipeline's digests are its own; a loader reading every pipeline hashes the list.
  const joined = (digests: string[]) => (digests.length === 1 ? digests[0] : hashValue(digests));
  const config = reads?.length ? null : joined(configDigests);
  const tracking = shows ? joined(trackingDigests) : null;
  return {fingerprint: hashValue({code, config, keys, tracking}), keys, code, config, tracking};
}

/**
 * Digest of the modules of `mlbook/loaders` a loader imports by name (`import {checks, runLoader}
 * from "mlbook/loaders"` → loaders/checks.ts and loaders/runLoader.ts, with what they import), so
 * editing one page's loader code stales that page only. A name the index does not re-export from
 * a module of its own (or an import this does not parse) counts the whole index.
 */
function loadersDigest(loaderSource: string): string {
  const imported = /import\s*\{([^}]*)\}\s*from\s*"mlbook\/loaders"/.exec(loaderSource);
  const names = imported?.[1]
    .split(",")
    .map((n) => n.trim().replace(/^type\s+/, ""))
    .filter(Boolean);
  const modules = new Map<string, string>();
  for (const m of readFileSync(mlbookLoaders, "utf8").matchAll(
    /export\s*\{([^}]*)\}\s*from\s*"(\.\/[\w/]+\.ts)"/g
  ))
    for (const name of m[1].split(",")) modules.set(name.trim().replace(/^type\s+/, ""), m[2]);
  if (!names?.length || names.some((n) => !modules.has(n)))
    return codeDigest(mlbookLoaders.href, {except: mlbookSteps});
  const files = [...new Set(names.map((n) => modules.get(n)!))].sort();
  return hashValue(files.map((f) => codeDigest(new URL(f, mlbookLoaders).href, {except: mlbookSteps})));
}

/**
 * The fingerprint of a loader written with `pageLoader`, from the reads it recorded when it last
 * made its output: what each would find now against what it found then, and its code.
 */
async function recordedFingerprint(
  projectRoot: string,
  file: string,
  record: ReadsRecord,
  plans: PlanCache
): Promise<LoaderFingerprint> {
  const code = pageLoaderCode(file);
  const now = await seenNow(projectRoot, record.reads, plans);
  const changed = record.reads.filter((r, i) => r.seen !== now[i]).map(describeRead);
  const reasons = [
    ...(code === record.code ? [] : ["loader code changed"]),
    ...(changed.length ? [`${changed.join(", ")} changed`] : [])
  ];
  return {
    fingerprint: hashValue({code, now}),
    keys: {},
    code,
    config: null,
    tracking: null,
    recorded: reasons.length ? reasons.join("; ") : null
  };
}

function describeRead(read: PageRead): string {
  switch (read.kind) {
    case "runs":
      return `the runs of ${read.pipeline}`;
    case "run":
      return `run ${read.ref}`;
    case "config":
      return `the config of ${read.pipeline}`;
    default:
      // A tracked name of another pipeline says its pipeline already.
      return read.ref?.includes("/") ? read.ref : `${read.ref ?? "model"} of ${read.pipeline}`;
  }
}
