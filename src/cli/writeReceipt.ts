import {mkdir, readFile, rename, writeFile} from "node:fs/promises";
import {isAbsolute, join, resolve, dirname} from "node:path";
import {codeFiles} from "../pipeline/engine/codeDigest.ts";
import type {LoadedConfig} from "../pipeline/engine/config.ts";
import {buildGraph, stepInputs} from "../pipeline/engine/graph.ts";
import {storeRoot, type RunResult} from "../pipeline/engine/run.ts";
import {Store, type Manifest} from "../pipeline/engine/store.ts";
import {buildRunRecord} from "../pipeline/tracking/runRecord.ts";
import {fileStamp} from "../pipeline/engine/fileStamp.ts";
import {bundleEntry, RECEIPT_VERSION, receiptPath, type Receipt, type Stamped} from "./receipt.ts";

/**
 * Leaves the receipt of a finished `mlbook run <args>` (see receipt.ts) for the next identical
 * command. Runs whose freshness depends on more than files — pinned inputs (resolved through the
 * tracking database) and downloads — get none. Never fails the run: a receipt is only a shortcut.
 */
export async function writeReceipt(
  loaded: LoadedConfig,
  result: RunResult,
  args: readonly string[],
  printed: {header: string; metricLines: string[]}
): Promise<void> {
  try {
    const {config} = loaded;
    const graph = buildGraph(config, loaded.path);
    // Pins and artifact references resolve through the tracking database, downloads through the network.
    if (
      config.from.length ||
      config.check?.drift?.artifact ||
      graph.nodes.some((n) => n.step.name === "download")
    )
      return;
    const root = storeRoot(loaded);
    const store = new Store(root);
    const stamped = (paths: Iterable<string>): Stamped[] => [...new Set(paths)].map((p) => [p, fileStamp(p)]);
    // A package path (vega-datasets/…) resolves to node_modules only while no project file of that
    // name exists: such candidates are stamped too, as "absent".
    const base = dirname(loaded.path);
    const named = [
      config.data.source,
      ...Object.values(config.data.tables ?? {}),
      config.check?.drift?.reference
    ].filter((s): s is string => typeof s === "string" && !isAbsolute(s) && !/^https?:/.test(s));
    const byName = new Map(graph.nodes.map((n) => [n.step.name, n]));
    const steps: Receipt["steps"] = [];
    for (const step of result.steps) {
      const node = byName.get(step.name);
      if (!node) return;
      const dir = store.dir(step.name, step.key);
      const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
      const files = [
        ...codeFiles(node.step.module),
        ...node.sources,
        join(dir, "manifest.json"),
        ...Object.keys(manifest.files).map((name) => join(dir, name))
      ];
      steps.push({name: step.name, key: step.key, rows: step.rows, files: stamped(files)});
    }
    const fresh = result.steps.map((s) => ({...s, status: "fresh" as const, reason: null}));
    const record = await buildRunRecord(loaded, root, {
      ...result,
      steps: fresh,
      inputs: stepInputs(graph),
      pins: [],
      error: null
    });
    const receipt: Receipt = {
      version: RECEIPT_VERSION,
      bundle: fileStamp(bundleEntry),
      files: stamped([loaded.path, ...named.map((s) => resolve(base, s))]),
      pipeline: result.pipeline,
      configDigest: result.configDigest,
      ...printed,
      steps,
      headline: result.headline,
      record
    };
    const file = receiptPath(root, args);
    await mkdir(dirname(file), {recursive: true});
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(receipt));
    await rename(tmp, file);
  } catch {
    // No receipt: the next run takes the full path.
  }
}
