import {ConfigError, formatValue} from "../errors.ts";
import {isPlainObject} from "./plainObject.ts";

/**
 * What references may expand a config to, in characters of text and values: a config file is at
 * most 1 MiB, and `k2: "${k1}${k1}"`, `k3: "${k2}${k2}"` … doubles with every line.
 */
const MAX_RESOLVED = 1024 * 1024;

/** `${a.b}`: a reference to another key of the config (OmegaConf's grammar, keys only). */
const REFERENCE = /\\?\$\{([^{}]*)\}/g;

/**
 * Resolves `${split.seed}`-style references to other keys of a composed config (after overrides),
 * as OmegaConf does: a value that is one reference takes the referenced value as it is (a number,
 * a list); references inside a longer text are put in as text. A referenced value may itself hold
 * references. `\${…}` is a literal `${…}`. A missing key, a cycle, or a resolver such as
 * `${env:HOME}` (a config is data: it reads nothing from the machine) is an error naming the key
 * that holds the reference (`where` gives its file and line).
 */
export function interpolate(
  raw: Record<string, unknown>,
  where: (path: string[]) => string
): Record<string, unknown> {
  const resolving = new Set<string>();
  // The key whose reference is being followed (the outermost, when references chain): errors name it.
  let holder: string[] = [];
  const lookup = (target: string, from: string[]): unknown => {
    if (!resolving.size) holder = from;
    const path = target.split(".");
    let node: unknown = raw;
    for (const k of path) {
      if (!isPlainObject(node) || !Object.hasOwn(node, k))
        throw new ConfigError(
          `${where(from)}: ${from.join(".")}: \${${target}} names no key of the config (${path.slice(0, path.indexOf(k) + 1).join(".")} is not there)`
        );
      node = node[k];
    }
    if (resolving.has(target))
      throw new ConfigError(
        `${where(from)}: ${from.join(".")}: \${${target}} refers back to itself (${[...resolving, target].join(" → ")})`
      );
    resolving.add(target);
    try {
      return resolveValue(node, path);
    } finally {
      resolving.delete(target);
    }
  };
  const resolveString = (text: string, at: string[]): unknown => {
    const whole = /^\$\{([^{}]*)\}$/.exec(text);
    if (whole) return lookup(checked(whole[1], at), at);
    if (!text.includes("${")) return text;
    return text.replace(REFERENCE, (match: string, inner: string) => {
      if (match.startsWith("\\")) return match.slice(1);
      const value = lookup(checked(inner, at), at);
      if (isPlainObject(value) || Array.isArray(value))
        throw new ConfigError(
          `${where(at)}: ${at.join(".")}: \${${inner}} is ${formatValue(value)}, which cannot go inside a text`
        );
      return String(value);
    });
  };
  const checked = (inner: string, at: string[]): string => {
    const target = inner.trim();
    if (/^[\w-]+:/.test(target))
      throw new ConfigError(
        `${where(at)}: ${at.join(".")}: \${${target}} uses a resolver; a config refers only to its own keys (it is data, and reads nothing from the machine)`
      );
    if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_0-9][\w-]*)*$/.test(target))
      throw new ConfigError(
        `${where(at)}: ${at.join(".")}: invalid reference \${${inner}} (expected \${section.key})`
      );
    return target;
  };
  // Every value made counts (each reference is resolved where it is used): a bound on time and memory.
  let made = 0;
  const spend = (size: number, at: string[]) => {
    made += size;
    const key = resolving.size ? holder : at;
    if (made > MAX_RESOLVED)
      throw new ConfigError(
        `${where(key)}: ${key.join(".")}: references expand the config past ${MAX_RESOLVED / 1024} KiB (each \${…} is copied where it is used)`
      );
  };
  const resolveValue = (value: unknown, at: string[]): unknown => {
    if (typeof value === "string") {
      const resolved = resolveString(value, at);
      spend(typeof resolved === "string" ? resolved.length : 1, at);
      return resolved;
    }
    spend(1, at);
    if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, [...at, String(i)]));
    if (isPlainObject(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, [...at, k])]));
    return value;
  };
  return resolveValue(raw, []) as Record<string, unknown>;
}

/** Whether a config holds any reference (most do not: nothing to resolve). */
export function hasReferences(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${");
  if (Array.isArray(value)) return value.some(hasReferences);
  if (isPlainObject(value)) return Object.values(value).some(hasReferences);
  return false;
}
