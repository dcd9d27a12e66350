import {pathToFileURL} from "node:url";
import {join} from "node:path";
import {codeDigest} from "../pipeline/code.ts";
import {loadConfig} from "../pipeline/config.ts";
import {buildGraph} from "../pipeline/graph.ts";
import {hashValue} from "../pipeline/hash.ts";
import {plan} from "../pipeline/run.ts";
import type {LoaderFile} from "./loaders.ts";

/**
 * What a loader's output depends on: its own code (and everything it imports, down to the steps),
 * the pipeline config, and the keys of every step of that pipeline. Framework only looks at the
 * loader file's mtime; this fingerprint is what mlbook compares instead.
 */
export async function loaderFingerprint(projectRoot: string, loader: LoaderFile): Promise<{fingerprint: string; keys: Record<string, string>}> {
  const loaded = loadConfig(loader.config);
  const planned = await plan(buildGraph(loaded.config, loaded.path));
  const keys = Object.fromEntries(planned.map((p) => [p.node.step.name, p.key]));
  const code = codeDigest(pathToFileURL(join(projectRoot, "docs", loader.loader)).href);
  return {fingerprint: hashValue({code, config: hashValue(loaded.raw), keys}), keys};
}
