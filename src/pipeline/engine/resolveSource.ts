import {existsSync} from "node:fs";
import {dirname, isAbsolute, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";

/**
 * Resolves a data path as a config gives it: relative to the config's folder (`base`), absolute,
 * or a package path (`vega-datasets/data/penguins.json`) found the way Node finds packages —
 * walking up through node_modules folders — from the config's folder, then from mlbook's own.
 */
export function resolveSource(source: string, base: string): string {
  if (isAbsolute(source)) return source;
  const local = resolve(base, source);
  if (existsSync(local) || source.startsWith(".")) return local;
  const parts = source.split("/");
  const name = source.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const rest = parts.slice(source.startsWith("@") ? 2 : 1).join("/");
  const self = dirname(fileURLToPath(import.meta.url));
  for (const start of [base, self]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name, rest);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return local;
}
