import {existsSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {loadConfig} from "../pipeline/engine/config.ts";

export const DEFAULT_CONFIG = "mlbook.yaml";

/** The project's pipelines by name: mlbook.yaml first, then pipelines/*.yaml. */
export function listPipelines(projectRoot: string): Record<string, string> {
  const files = [join(projectRoot, DEFAULT_CONFIG)];
  const dir = join(projectRoot, "pipelines");
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) if (/\.ya?ml$/.test(name)) files.push(join(dir, name));
  }
  const out: Record<string, string> = {};
  for (const file of files.filter(existsSync)) out[loadConfig(file).config.name] = file;
  return out;
}
