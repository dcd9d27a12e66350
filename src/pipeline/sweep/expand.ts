import {ConfigError} from "../errors.ts";
import {globFilter} from "./glob.ts";
import {
  parseOverride,
  parseValue,
  type Element,
  type OverrideKind,
  type ParsedOverride
} from "../engine/overrideGrammar.ts";
import {printOverride} from "./print.ts";
import {rangeValues} from "./range.ts";
import type {SweepConfig} from "./sweepSchema.ts";

export interface ExpandOptions {
  /** The values a key can take, for glob(): the model types for model.type, an enum's values. */
  choices?: (key: string) => readonly string[] | undefined;
  /** Refuse a sweep with more jobs than this, before any job is built. Default: no limit. */
  maxJobs?: number;
}

/** One job of a sweep: the plain overrides that compose its config, in the order they apply. */
export type Job = ParsedOverride[];

/** The values a sweep override stands for, in order (a plain override stands for its one value). */
export function sweepValues(o: ParsedOverride, choices?: ExpandOptions["choices"]): Element[] {
  const value = o.value;
  if (value === null) return [null];
  switch (value.type) {
    case "element":
      return [value.value];
    case "choice":
      return value.values;
    case "range":
      return rangeValues(value.start, value.stop, value.step);
    case "glob": {
      const names = choices?.(o.key);
      if (!names)
        throw new ConfigError(
          `override ${printOverride(o)}: glob() needs a key with a known set of choices, such as model.type`
        );
      return globFilter(names, value.include, value.exclude);
    }
  }
}

/**
 * Expands command-line overrides and the config's sweep into jobs: the Cartesian product of every
 * axis, first axis slowest (as Hydra's basic sweeper). Axes are the config's job list, then its grid
 * (minus keys the command line sets), then the command line's overrides in order; a plain
 * override is an axis of one value, so it applies to every job, after what the config declares.
 */
export function expandSweep(
  cli: readonly ParsedOverride[],
  sweep: SweepConfig | undefined,
  options: ExpandOptions = {}
): Job[] {
  const axes: {name: string; alternatives: Job[]}[] = [];
  const cliKeys = new Set(cli.map((o) => o.key));
  if (sweep?.jobs) {
    axes.push({
      name: "sweep.jobs",
      alternatives: sweep.jobs.map((job, i) =>
        Object.entries(job).map(([key, value]) => ({
          ...configKey(key, `sweep.jobs[${i}]`),
          value: {type: "element" as const, value: value as Element}
        }))
      )
    });
  }
  for (const [key, values] of Object.entries(sweep?.grid ?? {})) {
    const head = configKey(key, "sweep.grid");
    if (cliKeys.has(head.key)) continue;
    let o: ParsedOverride;
    try {
      o = {
        ...head,
        value:
          typeof values === "string"
            ? parseValue(values)
            : {type: "choice", values: values as Element[], simple: false}
      };
    } catch (error) {
      throw new ConfigError(`sweep.grid.${key}: ${(error as Error).message}`);
    }
    axes.push({
      name: printOverride(o),
      alternatives: sweepValues(o, options.choices).map((v) => [plain(o, v)])
    });
  }
  for (const o of cli) {
    axes.push({
      name: printOverride(o),
      alternatives: sweepValues(o, options.choices).map((v) => [o.value === null ? o : plain(o, v)])
    });
  }
  const empty = axes.find((a) => !a.alternatives.length);
  if (empty) throw new ConfigError(`sweep axis ${empty.name} has no values, so the sweep has no jobs`);
  const count = axes.reduce((n, a) => n * a.alternatives.length, 1);
  if (options.maxJobs !== undefined && count > options.maxJobs) {
    const sizes = axes
      .filter((a) => a.alternatives.length > 1)
      .map((a) => `${a.name} (${a.alternatives.length})`);
    throw new ConfigError(
      `the sweep has ${count} jobs, more than --max-jobs ${options.maxJobs}: ${sizes.join(" × ")} (raise --max-jobs to run it)`
    );
  }
  let jobs: Job[] = [[]];
  for (const axis of axes) jobs = jobs.flatMap((job) => axis.alternatives.map((alt) => [...job, ...alt]));
  return jobs;
}

function plain(o: ParsedOverride, value: Element): ParsedOverride {
  return {kind: o.kind, key: o.key, value: {type: "element", value}};
}

/** A key written in the config's sweep section, optionally with a + or ++ prefix. */
function configKey(text: string, where: string): {kind: OverrideKind; key: string} {
  try {
    const {kind, key} = parseOverride(`${text}=null`);
    if (kind === "delete") throw new ConfigError("~key cannot be swept");
    return {kind, key};
  } catch (error) {
    throw new ConfigError(
      `${where}: invalid key ${JSON.stringify(text)}: ${(error as Error).message.split("\n")[0]}`
    );
  }
}
