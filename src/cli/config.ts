import {stringify} from "yaml";
import {loadConfig} from "../pipeline/builtins.ts";
import {composeConfig} from "../pipeline/engine/composeConfig.ts";
import {applyOverrides, parseOverride} from "../pipeline/engine/overrides.ts";
import {isPlainObject} from "../pipeline/engine/plainObject.ts";

/**
 * `mlbook config [overrides…] [--resolved]`: the config as composed from its file, its config
 * groups and the overrides (checked as `mlbook run` checks it), each key followed by the file and
 * line, or the override, it came from. `--resolved` shows `${…}` references resolved.
 */
export async function configCommand(
  overrides: string[],
  options: {config: string; resolved?: boolean; json?: boolean}
): Promise<void> {
  const loaded = await loadConfig(options.config, overrides);
  const switches = Object.assign({}, ...loaded.catalog.steps.map((s) => s.switches ?? {}));
  const composed = composeConfig(loaded.path, overrides.map(parseOverride));
  const value = options.resolved ? loaded.raw : applyOverrides(composed.raw, composed.overrides, switches);
  // file:line (the column is noise here), or the override.
  const origin = (path: string[]) => loaded.locate!(path).replace(/^(.*:\d+):\d+$/, "$1");
  if (options.json) {
    const origins: Record<string, string> = {};
    walk(value, [], (path) => (origins[path.join(".")] = origin(path)));
    return void console.log(JSON.stringify({config: value, groups: composed.groups, origins}, null, 2));
  }
  const lines: [string, string | null][] = [];
  const emit = (node: Record<string, unknown>, path: string[], indent: string) => {
    for (const [key, v] of Object.entries(node)) {
      const at = [...path, key];
      const name = `${indent}${/^[\w.-]+$/.test(key) ? key : JSON.stringify(key)}:`;
      if (isPlainObject(v) && Object.keys(v).length) {
        lines.push([name, null]);
        emit(v, at, `${indent}  `);
      } else lines.push([`${name} ${inline(v)}`, origin(at)]);
    }
  };
  const groups = Object.entries(composed.groups);
  if (groups.length)
    console.log(`# defaults: ${groups.map(([group, file]) => `${group}: ${file}`).join(", ")}`);
  emit(value, [], "");
  const width = Math.min(60, Math.max(...lines.map(([text]) => text.length)));
  for (const [text, from] of lines) console.log(from ? `${text.padEnd(width)}  # ${from}` : text);
}

/** A leaf value on one line: YAML's scalar; lists and mappings as JSON (YAML's flow style). */
function inline(value: unknown): string {
  return Array.isArray(value) || isPlainObject(value)
    ? JSON.stringify(value)
    : stringify(value, {lineWidth: 0}).trim();
}

function walk(value: unknown, path: string[], leaf: (path: string[]) => void): void {
  if (isPlainObject(value) && Object.keys(value).length)
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], leaf);
  else if (path.length) leaf(path);
}
