import {mkdir, readFile, rename, writeFile} from "node:fs/promises";
import {join, dirname} from "node:path";
import {codeFiles} from "../pipeline/engine/codeDigest.ts";
import type {LoadedConfig} from "../pipeline/engine/loadedConfig.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {type RunResult} from "../pipeline/engine/runTypes.ts";
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
    const {config, catalog} = loaded;
    // Pins and artifact references resolve through the tracking database: such runs get none.
    if ((config.from as string[]).length || catalog.steps.some((s) => s.references?.(config).length)) return;
    const graph = buildGraph(loaded);
    const root = storeRoot(loaded);
    const store = new Store(root);
    const stamped = (paths: Iterable<string>): Stamped[] => [...new Set(paths)].map((p) => [p, fileStamp(p)]);
    const byName = new Map(graph.nodes.map((n) => [n.name, n]));
    const steps: Receipt["steps"] = [];
    for (const step of result.steps) {
      const node = byName.get(step.name);
      if (!node) return;
      const dir = store.dir(step.name, step.key);
      const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
      const files = [
        ...(node.step.workspace?.files ?? codeFiles(node.step.module!)),
        ...node.modules.flatMap((m) => m.files),
        ...node.sources,
        join(dir, "manifest.json"),
        ...Object.keys(manifest.files).map((name) => join(dir, name))
      ];
      steps.push({name: step.name, key: step.key, rows: step.rows, files: stamped(files)});
    }
    const fresh = result.steps.map((s) => ({...s, status: "fresh" as const, reason: null}));
    const record = await buildRunRecord({
      ...result,
      loaded,
      root,
      graph,
      steps: fresh,
      pins: [],
      error: null
    });
    const receipt: Receipt = {
      version: RECEIPT_VERSION,
      bundle: fileStamp(bundleEntry),
      // A package path (vega-datasets/…) resolves to node_modules only while no project file of
      // that name exists: the paths resolving looked at are stamped too, as "absent".
      // The config's group files count as the config; a group file or conf/ folder made where
      // composition looked and found none would change it: stamped as absent.
      files: stamped([loaded.path, ...(loaded.files ?? []), ...(loaded.probed ?? []), ...graph.probed]),
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
