import {readFileSync} from "node:fs";
import {fileURLToPath, pathToFileURL} from "node:url";
import {basename, join} from "node:path";
import {codeDigest} from "../pipeline/engine/codeDigest.ts";
import {loadConfig} from "../pipeline/builtins.ts";
import type {Loaded} from "../pipeline/builtins.ts";
import {buildGraph, producerOf, type Graph} from "../pipeline/engine/graph.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import {plan, type PlannedStep} from "../pipeline/engine/plan.ts";
import {loaderArtifacts, loaderTracking} from "./loaderReads.ts";
import {trackingDigest} from "./trackingDigest.ts";
import type {LoaderFile} from "./loaders.ts";

/** mlbook's page-data module, and its steps (whose code is in the keys). */
const mlbookLoaders = new URL("../loaders/index.ts", import.meta.url);
const mlbookSteps = fileURLToPath(new URL("../pipeline/steps", import.meta.url));

/** Plans by config file, shared by the loaders of one pipeline: planning hashes the data. */
export type PlanCache = Map<string, Promise<{loaded: Loaded; graph: Graph; planned: PlannedStep[]}>>;

export interface LoaderFingerprint {
  fingerprint: string;
  /** Keys of the steps the loader reads. */
  keys: Record<string, string>;
  /** Digest of the loader's code and everything it imports. */
  code: string;
  /** Digest of the config as written, or null when the loader reads only step outputs. */
  config: string | null;
  /** Digest of the runs or registry the loader shows from tracking, or null when it shows neither. */
  tracking: string | null;
}

/**
 * What a loader's output depends on: its own code (and everything it imports, short of the step modules),
 * the keys of the steps making the artifacts it reads (see loaderReads.ts), and — for loaders that show the config or
 * the whole run — the config itself. Framework only looks at the loader file's mtime; this
 * fingerprint is what mlbook compares instead.
 */
export async function loaderFingerprint(
  projectRoot: string,
  loader: LoaderFile,
  plans: PlanCache = new Map()
): Promise<LoaderFingerprint> {
  let planning = plans.get(loader.config);
  if (!planning) {
    planning = loadConfig(loader.config).then(async (loaded) => {
      const graph = buildGraph(loaded);
      return {loaded, graph, planned: await plan(graph)};
    });
    plans.set(loader.config, planning);
  }
  const {loaded, graph, planned} = await planning;
  const reads = loaderArtifacts[basename(loader.target)];
  const steps = reads && new Set(reads.flatMap((a) => producerOf(graph, a)?.node.name ?? []));
  const keys = Object.fromEntries(
    planned.filter((p) => !steps || steps.has(p.node.name)).map((p) => [p.node.name, p.key])
  );
  // Step modules are left out: their code is in the keys of the steps the loader reads, so a
  // change to one step's code makes stale only the loaders that read that step.
  const file = join(projectRoot, "docs", loader.loader);
  const own = codeDigest(pathToFileURL(file).href, {except: join(projectRoot, "src", "pipeline", "steps")});
  // A loader reading through the package (`mlbook/loaders`, as mlbook's own and a workspace's
  // do) is not followed by a digest of local imports: the page code it runs is the modules of
  // mlbook's loaders it names, so their digest joins in.
  const source = readFileSync(file, "utf8");
  const code = source.includes('"mlbook/loaders"') ? hashValue({own, mlbook: loadersDigest(source)}) : own;
  const config = reads?.length ? null : hashValue(loaded.raw);
  const shows = loaderTracking[basename(loader.target)];
  const tracking = shows ? await trackingDigest(loaded, shows) : null;
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
