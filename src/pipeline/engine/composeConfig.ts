import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {LineCounter, parseDocument} from "yaml";
import {ConfigError, formatValue} from "../errors.ts";
import {editDistance, locator, type Locate} from "./configIssues.ts";
import type {Override} from "./overrides.ts";
import {isPlainObject} from "./plainObject.ts";
import {YAML_OPTIONS} from "./yamlOptions.ts";

/** The largest config file read: settings fit in far less; more is a mistake or an attack. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** The folder of config groups, looked for beside the config and then in the folders above it. */
export const GROUPS_FOLDER = "conf";

/** One YAML file of a config, read and located. */
interface Source {
  file: string;
  /** As errors name it: relative to the working folder. */
  shown: string;
  value: Record<string, unknown>;
  where: Locate;
  /** Where its keys go in the config: [] for the config file, [group] for a group file. */
  at: string[];
}

export interface Composed {
  /** The config file's keys with its groups' merged in, then the plain overrides applied. */
  raw: Record<string, unknown>;
  /** Every file read: the config file and each group file. */
  files: string[];
  /** Group files looked for that were absent (a file created there would change the config). */
  probed: string[];
  /** The group selected for each group of the defaults list, `model` → `random_forest`. */
  groups: Record<string, string>;
  /** The overrides left once group selections are taken out. */
  overrides: Override[];
  /** `file:line:column` of the file that gave a key its value (the last to set it). */
  where: Locate;
}

/**
 * Composes a config as Hydra does. A `defaults:` list names group files — `- model: random_forest`
 * is `conf/model/random_forest.yaml`, its keys going under `model:` — merged in order (mappings
 * key by key, anything else replaced), the file's own keys last unless `_self_` places them. On the
 * command line `model=ridge` picks another file of a listed group, `+group=file` adds one, and the
 * other overrides apply afterwards. `conf/` is the nearest such folder from the config's folder up.
 */
export function composeConfig(path: string, overrides: readonly Override[]): Composed {
  const main = readSource(path, []);
  const own = {...main.value};
  const listed = own.defaults;
  delete own.defaults;
  const entries = defaultsList(listed, main);
  const files = [path];
  const probed: string[] = [];
  let looked = false;
  let root: string | null = null;
  const groupsRoot = () => {
    if (!looked) root = findGroupsFolder(dirname(path), probed);
    looked = true;
    return root;
  };
  const isGroup = (group: string) => {
    const r = groupsRoot();
    return r !== null && existsSync(join(r, group)) && statSync(join(r, group)).isDirectory();
  };
  const rest: Override[] = [];
  for (const o of overrides) {
    const group = o.path.length === 1 ? o.path[0] : null;
    const listedAt = entries.findIndex((e) => e !== SELF && e.group === group);
    if (group && listedAt >= 0 && o.kind !== "delete") {
      if (typeof o.value !== "string")
        throw new ConfigError(
          `override ${o.text}: ${group} is a config group: give the name of one of its files`
        );
      entries[listedAt] = {group, option: o.value, override: o.text};
    } else if (group && typeof o.value === "string" && o.kind !== "delete" && isGroup(group)) {
      if (o.kind === "change")
        throw new ConfigError(
          `override ${o.text}: ${group} is not in the defaults list of ${main.shown}: add the group with +${o.text}`
        );
      entries.push({group, option: o.value, override: o.text});
    } else rest.push(o);
  }
  const sources: Source[] = [];
  const groups: Record<string, string> = {};
  if (!entries.includes(SELF)) entries.push(SELF);
  for (const entry of entries) {
    if (entry === SELF) {
      sources.push({...main, value: own});
      continue;
    }
    const groupsFolder = groupsRoot();
    if (!groupsFolder)
      throw new ConfigError(
        `${main.shown}: defaults names group ${entry.group}, but there is no ${GROUPS_FOLDER}/ folder beside it or above it`
      );
    const folder = join(groupsFolder, entry.group);
    const file = join(folder, `${entry.option}.yaml`);
    if (!/^[A-Za-z0-9][\w.-]*$/.test(entry.option) || !existsSync(file)) {
      probed.push(file);
      const have = existsSync(folder)
        ? readdirSync(folder)
            .filter((n) => n.endsWith(".yaml"))
            .map((n) => n.slice(0, -".yaml".length))
            .sort()
        : [];
      const near = have.filter((h) => editDistance(h, entry.option) <= 2);
      throw new ConfigError(
        `${entry.override ? `override ${entry.override}` : main.shown}: no file ${entry.option}.yaml in config group ${entry.group} (${shownPath(folder)}${have.length ? `: ${have.join(", ")}` : " is empty or missing"})${near.length ? `; did you mean ${near.join(" or ")}?` : ""}`
      );
    }
    const source = readSource(file, [entry.group]);
    if ("defaults" in source.value)
      throw new ConfigError(`${source.where(["defaults"])}: a group file has no defaults list of its own`);
    files.push(file);
    groups[entry.group] = entry.option;
    sources.push(source);
  }
  let composed: Record<string, unknown> = {};
  for (const s of sources) composed = merge(composed, place(s.value, s.at));
  // A key's place: in the last source holding the most of its path (later sources win ties).
  const where: Locate = (key) => {
    let best = sources[0];
    let depth = -1;
    for (const s of sources) {
      let d = 0;
      let node: unknown = place(s.value, s.at);
      for (const k of key) {
        if (!isPlainObject(node) || !(String(k) in node)) break;
        node = node[String(k)];
        d++;
      }
      if (d >= depth) [best, depth] = [s, d];
    }
    const inside = key.slice(0, best.at.length).every((k, j) => String(k) === best.at[j]);
    return inside ? best.where(key.slice(best.at.length)) : best.shown;
  };
  return {raw: composed, files, probed, groups, overrides: rest, where};
}

const SELF = "_self_";
type Entry = typeof SELF | {group: string; option: string; override?: string};

/** The defaults list as written: `_self_`, or `group: option` one per item. */
function defaultsList(listed: unknown, main: Source): Entry[] {
  if (listed === undefined) return [];
  const at = (i?: number) => main.where(i === undefined ? ["defaults"] : ["defaults", i]);
  if (!Array.isArray(listed))
    throw new ConfigError(
      `${at()}: invalid defaults: ${formatValue(listed)} (expected a list such as [model: random_forest, _self_])`
    );
  const seen = new Set<string>();
  return listed.map((item, i): Entry => {
    if (item === SELF) return SELF;
    const pair = isPlainObject(item) ? Object.entries(item) : [];
    if (pair.length !== 1 || typeof pair[0][1] !== "string" || !/^[A-Za-z_][\w-]*$/.test(pair[0][0]))
      throw new ConfigError(
        `${main.shown}: invalid defaults[${i}]: ${formatValue(item)} (expected GROUP: FILE, e.g. model: random_forest, or _self_)`
      );
    const [group, option] = pair[0] as [string, string];
    if (seen.has(group)) throw new ConfigError(`${main.shown}: defaults lists group ${group} twice`);
    seen.add(group);
    return {group, option};
  });
}

/** The files of config group `group` for a config (what `model=glob(*)` sweeps), or undefined. */
export function groupOptions(configPath: string, group: string): string[] | undefined {
  if (!/^[A-Za-z_][\w-]*$/.test(group)) return undefined;
  const root = findGroupsFolder(dirname(resolve(configPath)), []);
  const folder = root && join(root, group);
  if (!folder || !existsSync(folder) || !statSync(folder).isDirectory()) return undefined;
  return readdirSync(folder)
    .filter((n) => n.endsWith(".yaml"))
    .map((n) => n.slice(0, -".yaml".length))
    .sort();
}

/** The nearest `conf/` folder from `dir` up; each one looked for is noted in `probed`. */
function findGroupsFolder(dir: string, probed: string[]): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, GROUPS_FOLDER);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    probed.push(candidate);
    if (dirname(d) === d) return null;
  }
}

/** Reads one YAML file of a config: a mapping, or an error naming the file, line and column. */
export function readSource(path: string, at: string[]): Source {
  const shown = shownPath(path);
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new ConfigError(`${shown}: not a regular file`);
    if (statSync(path).size > MAX_CONFIG_BYTES)
      throw new ConfigError(
        `${shown}: the config is over ${MAX_CONFIG_BYTES / 1024} KiB (a config holds settings, not data)`
      );
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${shown}: cannot read the config file`);
  }
  const lineCounter = new LineCounter();
  // logLevel "silent": a YAML warning (an unknown tag) is this loader's error below, not Node's.
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, logLevel: YAML_OPTIONS.logLevel});
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const {line, col} = lineCounter.linePos(problem.pos[0]);
    const what =
      problem.code === "TAG_RESOLVE_FAILED"
        ? `unsupported YAML tag (a config holds plain values): ${problem.message.split("\n")[0]}`
        : problem.message.split("\n")[0];
    throw new ConfigError(`${shown}:${line}:${col}: invalid YAML at line ${line}, column ${col}: ${what}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({maxAliasCount: YAML_OPTIONS.maxAliasCount}) ?? {};
  } catch (error) {
    // An alias expanding to an exponential tree ("billion laughs") stops here.
    throw new ConfigError(
      `${shown}: invalid YAML: ${error instanceof Error ? error.message : String(error)}`
    );
  }
  if (!isPlainObject(value)) throw new ConfigError(`${shown}: expected a mapping of keys at the top level`);
  return {file: path, shown, value, where: locator(doc.contents, lineCounter, shown), at};
}

function shownPath(path: string): string {
  return relative(process.cwd(), resolve(path)) || path;
}

/** `value` placed under the keys `at`. */
function place(value: Record<string, unknown>, at: readonly string[]): Record<string, unknown> {
  return at.reduceRight<Record<string, unknown>>((inner, key) => ({[key]: inner}), value);
}

/** `b` merged over `a`: mappings key by key, anything else (lists too) replaced, as OmegaConf does. */
export function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...a};
  for (const [k, v] of Object.entries(b)) {
    if (k === "__proto__" || k === "constructor" || k === "prototype") continue;
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? merge(out[k], v) : structuredClone(v);
  }
  return out;
}
