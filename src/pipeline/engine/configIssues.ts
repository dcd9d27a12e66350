import {isMap, isScalar, type LineCounter, type Node} from "yaml";
import type {z} from "zod";
import {formatValue} from "../errors.ts";
import type {Override} from "./overrides.ts";
import {valueAt} from "./plainObject.ts";

type Issue = z.core.$ZodIssue;

/** Where a config path is written: `mlbook.yaml:14:3`, or the file alone when the key is not in it. */
export type Locate = (path: (string | number)[]) => string;

/**
 * One line per problem, in the shape every error of the config has: where (file:line:column, or
 * the override that set it), the key, the value and what was expected, with a did-you-mean for a
 * misspelt key.
 */
export function describeIssue(
  issue: Pick<Issue, "path" | "message"> & Partial<Issue>,
  raw: Record<string, unknown>,
  overrides: readonly Override[],
  where: Locate,
  schema: z.ZodType
): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys) {
    return issue.keys
      .map((key) => {
        const full = [...path, key];
        const known = knownKeys(schema, path);
        const near = closest(key, known);
        const hint = known.length
          ? ` (${near ? `did you mean ${near}? ` : ""}expected one of ${known.join(", ")})`
          : "";
        return `${origin(full, overrides, where)}unknown key ${full.join(".")}${hint}`;
      })
      .join("\n");
  }
  const key = path.join(".") || "(top level)";
  const value = valueAt(raw, path);
  if (value === undefined && issue.code === "invalid_type") {
    return `${origin(path, overrides, where)}missing required key ${key} (expected ${issue.expected})`;
  }
  return `${origin(path, overrides, where)}invalid ${key}: ${formatValue(value)} (${expectation(issue)})`;
}

function origin(path: string[], overrides: readonly Override[], where: Locate): string {
  const key = path.join(".");
  // The override that set this key, one inside it, or the section it belongs to.
  const override = overrides.find((o) => {
    const set = o.path.join(".");
    return set === key || key.startsWith(`${set}.`) || set.startsWith(`${key}.`);
  });
  return override ? `override ${override.text}: ` : `${where(path)}: `;
}

function expectation(issue: Pick<Issue, "message"> & Partial<Issue>): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `expected ${issue.origin === "array" ? "at least" : issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `expected ${issue.origin === "array" ? "at most" : issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    default:
      return issue.message.replace(/^Invalid input: /, "");
  }
}

/** The keys a schema allows at a path, to suggest the right spelling (none under a record). */
export function knownKeys(schema: z.ZodType, path: readonly string[]): string[] {
  let node = unwrap(schema);
  for (const key of path) {
    const def = node._zod.def as {type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType};
    if (def.type === "object" && def.shape?.[key]) node = unwrap(def.shape[key]);
    else if (def.type === "record" && def.valueType) node = unwrap(def.valueType);
    else return [];
  }
  const def = node._zod.def as {type: string; shape?: Record<string, z.ZodType>};
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** The schema inside defaults, optionals, refinements and pipes. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    const def = node._zod.def as {innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType};
    // A preprocess is a pipe from a transform: the shape is the pipe's output.
    const piped = def.in && (def.in._zod.def as {type: string}).type === "transform" ? def.out : def.in;
    const inner = def.innerType ?? piped;
    if (!inner) return node;
    node = inner;
  }
}

/** The known key a typo most likely meant: within two edits, or none. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; ++i) {
    const next = [i];
    for (let j = 1; j <= b.length; ++j) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** `file:line:column` of the deepest key of `path` written in the YAML document. */
export function locator(root: Node | null, lineCounter: LineCounter, file: string): Locate {
  return (path) => {
    let node: Node | null = root;
    let offset: number | undefined;
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0];
      node = pair.value as Node | null;
    }
    if (offset === undefined) return file;
    const {line, col} = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
}
