import {readFileSync} from "node:fs";
import type {z} from "zod";
import {catalogSections, type Catalog} from "../engine/catalog.ts";
import {unwrap} from "../engine/configIssues.ts";
import {groupOptions} from "../engine/composeConfig.ts";
import {buildGraph} from "../engine/graph.ts";
import type {LoadedConfig} from "../engine/loadedConfig.ts";
import {applyOverrides, parseOverride as parsePlain} from "../engine/overrides.ts";
import {plan} from "../engine/plan.ts";
import {isPlainObject} from "../engine/plainObject.ts";
import {ConfigError, MlbookError} from "../errors.ts";
import {modelTypes} from "../ml/registry.ts";
import {expandSweep} from "./expand.ts";
import {isSweep, parseOverride, type ParsedOverride} from "../engine/overrideGrammar.ts";
import {printOverride} from "./print.ts";
import {sweepSchema, type SweepConfig} from "./sweepSchema.ts";
import {parseYaml} from "../engine/yamlOptions.ts";

export interface ComposedJob {
  /** 1-based, as printed: job 3/12. */
  index: number;
  /** The job's plain overrides, printed; `mlbook run <overrides>` reproduces the job. */
  overrides: string[];
  loaded: LoadedConfig;
  /** Step name → key. */
  keys: Record<string, string>;
}

export interface ComposedSweep {
  jobs: ComposedJob[];
  /** Steps whose key is the same in every job (ingest, clean, split …), in pipeline order. */
  shared: string[];
}

/** Whether the config file declares a sweep (a cheap look, before composing anything). */
export function declaredSweep(
  configPath: string,
  overrides: readonly ParsedOverride[] = []
): SweepConfig | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(configPath, "utf8"));
  } catch {
    return undefined; // loadConfig reports an unreadable file or bad YAML properly
  }
  if (!isPlainObject(raw)) return undefined;
  // Plain overrides of the sweep section itself (`~sweep`, `sweep.grid.x=[1,2]`) apply first.
  const own = overrides
    .filter((o) => (o.key === "sweep" || o.key.startsWith("sweep.")) && !isSweep(o.value))
    .map((o) => parsePlain(printOverride(o)));
  const section = applyOverrides(raw, own).sweep;
  if (section === undefined) return undefined;
  const result = sweepSchema.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`invalid sweep.${issue.path.join(".")}: ${issue.message}`);
  }
  return result.data;
}

/**
 * Expands and composes every job of a sweep, validating each job's config before any work runs
 * (so a typo in job 9 fails now, not after 8 jobs), and finds the steps all jobs share.
 */
export async function composeSweep(
  configPath: string,
  overrides: readonly string[],
  options: {
    /** Loads and validates one job's config (the CLI's loader, with its catalog). */
    load: (configPath: string, overrides: readonly string[]) => Promise<LoadedConfig>;
    /** The catalog the config is loaded with: what glob() can match for an enum key. */
    catalog: Catalog;
    maxJobs?: number;
    /** Called with the job count once the sweep is expanded, before any job is composed. */
    onExpanded?: (jobs: number) => void;
  }
): Promise<ComposedSweep> {
  const parsed = overrides.map(parseOverride);
  const sweep = declaredSweep(configPath, parsed);
  const cli = parsed.filter((o) => !(o.key === "sweep" || o.key.startsWith("sweep.")));
  const expanded = expandSweep(cli, sweep, {
    // glob() matches a key's enum values, or the files of a config group (model=glob(*)).
    choices: (key) => keyChoices(key, options.catalog) ?? groupOptions(configPath, key),
    maxJobs: options.maxJobs
  });
  options.onExpanded?.(expanded.length);
  const errors: string[] = [];
  const jobs: ComposedJob[] = [];
  for (const [i, job] of expanded.entries()) {
    const texts = job.map(printOverride);
    try {
      const loaded = await options.load(configPath, texts);
      const keys = Object.fromEntries((await plan(buildGraph(loaded))).map((p) => [p.node.name, p.key]));
      jobs.push({index: i + 1, overrides: texts, loaded, keys});
    } catch (error) {
      if (!(error instanceof MlbookError)) throw error;
      errors.push(`job ${i + 1}/${expanded.length} (${texts.join(" ") || "no overrides"}): ${error.message}`);
    }
  }
  if (errors.length) {
    const shown = errors.slice(0, 5);
    if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more jobs`);
    throw new ConfigError(
      `${errors.length} of ${expanded.length} jobs have an invalid config; nothing ran\n${shown.join("\n")}`
    );
  }
  const steps = Object.keys(jobs[0].keys);
  const shared = steps.filter((s) => jobs.every((j) => j.keys[s] === jobs[0].keys[s]));
  return {jobs, shared};
}

/** What glob() matches against: model types for model.type, an enum's values elsewhere. */
export function keyChoices(key: string, catalog: Catalog): string[] | undefined {
  if (key === "model.type") return modelTypes();
  const [section, ...rest] = key.split(".");
  let schema: z.ZodType | undefined = catalogSections(catalog)[section];
  for (const part of [...rest, null]) {
    if (!schema) return undefined;
    const def = unwrap(schema)._zod.def as {
      type: string;
      shape?: Record<string, z.ZodType>;
      entries?: Record<string, string>;
    };
    if (part === null)
      return def.type === "enum" && def.entries ? Object.values(def.entries).map(String) : undefined;
    if (def.type !== "object") return undefined;
    schema = def.shape?.[part];
  }
  return undefined;
}
