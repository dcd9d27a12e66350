import {ConfigError, formatValue} from "../errors.ts";
import {isSweep, parseOverride as parseOverrideText, type OverrideKind} from "./overrideGrammar.ts";
import {isPlainObject, valueAt} from "./plainObject.ts";

/**
 * One plain override from the command line, in Hydra's grammar (overrideGrammar.ts):
 * `key=value` sets a key the schema knows, `+key=value` adds one the config lacks, `++key=value`
 * adds or overrides, `~key` / `~key=value` deletes.
 */
export interface Override {
  kind: OverrideKind;
  path: string[];
  /** Undefined for `~key` without a value. */
  value: unknown;
  text: string;
}

/** Parses a plain override; a sweep (`a=1,2`, `range(…)`) belongs to `mlbook run -m`. */
export function parseOverride(text: string): Override {
  const o = parseOverrideText(text);
  if (isSweep(o.value))
    throw new ConfigError(`override ${text} is a sweep: run it with mlbook run -m (--multirun)`);
  return {
    kind: o.kind,
    path: o.key.split("."),
    value: o.value?.type === "element" ? o.value.value : undefined,
    text
  };
}

/**
 * Applies overrides to a copy of the raw config. `switches` maps a key to the key its value
 * governs (`model.type` → `model.params`): overriding the first with another value drops the
 * second from the file, which was written for the other choice (as a Hydra config group would).
 */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: readonly Override[],
  switches: Readonly<Record<string, string>> = {}
): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [key, governed] of Object.entries(switches)) {
    const o = overrides.find((o) => o.kind !== "delete" && o.path.join(".") === key);
    if (o && valueAt(out, o.path) !== o.value) {
      const path = governed.split(".");
      const parent = valueAt(out, path.slice(0, -1));
      if (isPlainObject(parent)) delete parent[path[path.length - 1]];
    }
  }
  for (const {kind, path, value, text} of overrides) {
    const key = path.join(".");
    if (path.some((k) => k === "__proto__" || k === "constructor" || k === "prototype")) {
      throw new ConfigError(`override ${text}: invalid key ${key}`);
    }
    const last = path[path.length - 1];
    const parent = valueAt(out, path.slice(0, -1));
    const present = isPlainObject(parent) && Object.hasOwn(parent, last);
    if (kind === "delete") {
      if (!present) throw new ConfigError(`override ${text}: cannot delete ${key}, it is not in the config`);
      if (value !== undefined && JSON.stringify(parent[last]) !== JSON.stringify(value)) {
        throw new ConfigError(
          `override ${text}: cannot delete ${key}, its value is ${formatValue(parent[last])}, not ${formatValue(value)}`
        );
      }
      delete parent[last];
      continue;
    }
    if (kind === "add" && present)
      throw new ConfigError(
        `override ${text}: ${key} is already in the config (use ++${key}=… to override it)`
      );
    let node: Record<string, unknown> = out;
    for (const k of path.slice(0, -1)) {
      if (!isPlainObject(node[k])) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[last] = value;
  }
  return out;
}
