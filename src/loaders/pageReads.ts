import {existsSync, readFileSync} from "node:fs";
import {mkdir, rename, writeFile} from "node:fs/promises";
import {dirname, join, relative, sep} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {codeDigest} from "../pipeline/engine/codeDigest.ts";
import {producerOf, type Graph} from "../pipeline/engine/graph.ts";
import {hashValue} from "../pipeline/engine/hash.ts";
import type {LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {runDetail} from "../pipeline/tracking/queries.ts";
import {resolveArtifact, resolveModelOrArtifact, type ArtifactRow} from "../pipeline/tracking/resolve.ts";
import {trackedDigest} from "../pipeline/tracking/trackedDigest.ts";
import type {TrackingTx} from "../pipeline/tracking/trackingTx.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {listPipelines} from "../site/pipelines.ts";
import {planOf, type PlanCache} from "./planOf.ts";

/**
 * One read of a page loader written with `pageLoader` (see pageData.ts), and what it found:
 * - `artifact` / `model` with no version (`test_data`, or the model): the artifact as the
 *   pipeline's config makes it now; seen is its step's key.
 * - `artifact` / `model` naming a version, alias or pipeline (`test_data:latest`,
 *   `cars-model@champion`, `flights/model:v1`): the tracked version; seen is its name, version and digest.
 * - `runs`: the pipeline's tracked runs; seen is a digest of their ids.
 * - `run`: one run; seen is a digest of its record.
 * - `config`: the pipeline's config as written; seen is its digest.
 */
export interface PageRead {
  kind: "artifact" | "model" | "runs" | "run" | "config";
  pipeline: string;
  ref: string | null;
  seen: string;
}

/** What a page loader's output was made from: its code and its reads, as they were. */
export interface ReadsRecord {
  code: string;
  reads: PageRead[];
}

/** A reference naming the artifact as the config makes it now: a bare name, no version or pipeline. */
export function isCurrent(ref: string | null): boolean {
  return ref === null || !/[:@/]/.test(ref);
}

/**
 * The output a loader file makes, relative to the docs folder (`data/cars/errors.json`): its path
 * without the `.js`/`.ts`, a `[pipeline]` folder named by its `--pipeline=`. Undefined for a file
 * outside `<root>/docs`.
 */
export function loaderTarget(root: string, loaderFile: string, argv: readonly string[]): string | undefined {
  const path = relative(join(root, "docs"), loaderFile);
  if (path.startsWith("..") || !/\.(js|ts)$/.test(path)) return undefined;
  const pipeline = argv.find((a) => a.startsWith("--pipeline="))?.slice("--pipeline=".length);
  const target = path
    .split(sep)
    .join("/")
    .replace(/\.(js|ts)$/, "");
  return pipeline === undefined ? target : target.replace("[pipeline]", pipeline);
}

/** Where the reads of the loader making `target` are recorded. */
export function readsRecordFile(root: string, target: string): string {
  return join(root, ".mlbook", "site", "reads", `${target}.json`);
}

export function readReadsRecord(root: string, target: string): ReadsRecord | undefined {
  try {
    return JSON.parse(readFileSync(readsRecordFile(root, target), "utf8")) as ReadsRecord;
  } catch {
    return undefined;
  }
}

export async function writeReadsRecord(root: string, target: string, record: ReadsRecord): Promise<void> {
  const file = readsRecordFile(root, target);
  await mkdir(dirname(file), {recursive: true});
  await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(record, null, 2));
  await rename(`${file}.${process.pid}.tmp`, file);
}

const pageDataModule = new URL("./pageData.ts", import.meta.url);
const stepModules = fileURLToPath(new URL("../pipeline/steps", import.meta.url));

/**
 * A page loader's code: its file and the local modules it imports, and the page-data API it
 * reads through (mlbook's own code for reading artifacts and runs).
 */
export function pageLoaderCode(loaderFile: string): string {
  // As for mlbook's own loaders, the step modules are left out: their code is in the keys read.
  const api = existsSync(pageDataModule) ? codeDigest(pageDataModule.href, {except: stepModules}) : "bundled";
  return hashValue({own: codeDigest(pathToFileURL(loaderFile).href), api});
}

/**
 * What a current (unversioned) artifact read sees: the key of the step making it (`keys`: each
 * step's key, as planned now or as the run read had them).
 */
export function currentSeen(graph: Graph, keys: ReadonlyMap<string, string>, artifact: string): string {
  const made = producerOf(graph, artifact);
  const key = made && keys.get(made.node.name);
  return made && key ? `${made.node.name}/${made.output}:${key}` : "none";
}

/** A tracked artifact version as a read sees it. */
export function versionSeen(artifact: ArtifactRow, name = artifact.name, version = artifact.version): string {
  return `${name}:v${version}:${artifact.digest}`;
}

/** What a read of tracking (not of the config's current artifacts) sees now. */
export async function trackedSeen(tx: TrackingTx, read: PageRead): Promise<string> {
  switch (read.kind) {
    case "runs":
      return trackedDigest(tx, "runs", read.pipeline);
    case "run":
      return hashValue(await runDetail(tx, read.ref!));
    case "model": {
      const {artifact, name, version} = await resolveModelOrArtifact(tx, read.ref!, read.pipeline);
      return versionSeen(artifact, name, version);
    }
    default:
      return versionSeen(await resolveArtifact(tx, read.ref!, read.pipeline));
  }
}

/** What a config read sees. */
export function configSeen(loaded: LoadedConfig): string {
  return hashValue(loaded.raw);
}

/**
 * What each read would see now: the steps' keys as the configs plan them (no step runs) and the
 * tracked records. A read that fails now (a version gone, a config broken) sees its error, which
 * differs from anything seen before: the loader runs again and shows it.
 */
export async function seenNow(
  root: string,
  reads: readonly PageRead[],
  plans: PlanCache = new Map()
): Promise<string[]> {
  const pipelines = listPipelines(root);
  const out: string[] = [];
  const tracked = new Map<string, number[]>();
  for (const [i, read] of reads.entries()) {
    const config = pipelines[read.pipeline];
    if (!config) out[i] = `error: no pipeline ${read.pipeline}`;
    else if (
      read.kind === "config" ||
      ((read.kind === "artifact" || read.kind === "model") && isCurrent(read.ref))
    ) {
      try {
        const {loaded, graph, planned} = await planOf(config, plans);
        out[i] =
          read.kind === "config"
            ? configSeen(loaded)
            : currentSeen(graph, new Map(planned.map((p) => [p.node.name, p.key])), read.ref ?? "model");
      } catch (error) {
        out[i] = `error: ${messageOf(error)}`;
      }
    } else (tracked.get(config) ?? tracked.set(config, []).get(config)!).push(i);
  }
  for (const [config, indices] of tracked) {
    try {
      await withProject(projectTracking(config), async (tx) => {
        for (const i of indices) {
          try {
            out[i] = await trackedSeen(tx, reads[i]);
          } catch (error) {
            out[i] = `error: ${messageOf(error)}`;
          }
        }
      });
    } catch (error) {
      for (const i of indices) out[i] = `error: ${messageOf(error)}`;
    }
  }
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
