import {existsSync, readdirSync, readFileSync} from "node:fs";
import {basename, join} from "node:path";
import {parseYaml} from "../pipeline/engine/yamlOptions.ts";

export const DEFAULT_CONFIG = "mlbook.yaml";

/**
 * The project's pipelines by name: mlbook.yaml first, then pipelines/*.yaml. Only each file's
 * `name` is read (the site's routes need no more); a config that is not valid is reported by the
 * loaders that read it, under its file's name when it has none.
 */
export function listPipelines(projectRoot: string): Record<string, string> {
  const files = [join(projectRoot, DEFAULT_CONFIG)];
  const dir = join(projectRoot, "pipelines");
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) if (/\.ya?ml$/.test(name)) files.push(join(dir, name));
  }
  const out: Record<string, string> = {};
  for (const file of files.filter(existsSync)) out[pipelineName(file)] = file;
  return out;
}

function pipelineName(file: string): string {
  try {
    const name = (parseYaml(readFileSync(file, "utf8")) as {name?: unknown} | null)?.name;
    if (typeof name === "string" && name) return name;
  } catch {
    // reported when the pipeline runs
  }
  return basename(file).replace(/\.ya?ml$/, "");
}
