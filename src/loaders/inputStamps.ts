import {readdirSync} from "node:fs";
import {join} from "node:path";
import {fileStamp} from "../pipeline/engine/fileStamp.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import type {PipelineContext} from "./pipelineContext.ts";

/**
 * The size, mtime and inode of every file a loader's output can depend on: the engine and loader
 * sources, the config and the data files. Any edit changes it; cheap enough to take twice a run.
 */
export function inputStamps(context: PipelineContext, root = process.cwd()): string {
  const files: string[] = [context.loaded.path];
  try {
    for (const node of buildGraph(context.loaded).nodes) files.push(...node.sources);
    for (const module of context.loaded.modules.values()) files.push(...module.files);
  } catch {
    // A config the graph refuses fails the loader itself.
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  for (const dir of [join(root, "src"), join(root, "docs", "data")]) {
    try {
      walk(dir);
    } catch {
      // No such folder in this project.
    }
  }
  return files.map((file) => `${file}:${fileStamp(file)}`).join("\n");
}
