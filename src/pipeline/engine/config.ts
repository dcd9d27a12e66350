import {readFileSync, statSync} from "node:fs";
import {dirname, relative, resolve} from "node:path";
import {LineCounter, parseDocument} from "yaml";
import {z} from "zod";
import {ConfigError} from "../errors.ts";
import {catalogSections, type Catalog, type NamedStep} from "./catalog.ts";
import {describeIssue, locator, type Locate} from "./configIssues.ts";
import {workspaceStepConfig} from "./coreConfig.ts";
import {applyOverrides, parseOverride, type Override} from "./overrides.ts";
import {isPlainObject} from "./plainObject.ts";
import {configureEnv} from "./configureEnv.ts";
import {buildGraph} from "./graph.ts";
import {storeRoot, type LoadedConfig} from "./loadedConfig.ts";
import type {ConfigIssue, WorkspaceModule} from "./step.ts";
import {loadWorkspaceModule, moduleCacheDir, ModuleError} from "./workspaceModule.ts";
import {workspaceStep} from "./workspaceStep.ts";
import {YAML_OPTIONS} from "./yamlOptions.ts";

/** The largest config file read: settings fit in far less; more is a mistake or an attack. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads a pipeline config, applies command-line overrides, loads the workspace's step and model
 * modules it names, and validates the whole against the schema the catalog's steps assemble. Any
 * problem stops here, before anything runs: each names the file, line and key, the value and what
 * was expected (exit code 2).
 */
export async function loadPipelineConfig(
  file: string,
  options: {catalog: Catalog; overrides?: readonly string[]}
): Promise<LoadedConfig> {
  const path = resolve(file);
  const base = dirname(path);
  const shown = relative(process.cwd(), path) || path;
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
  let written: unknown;
  try {
    written = doc.toJS({maxAliasCount: YAML_OPTIONS.maxAliasCount}) ?? {};
  } catch (error) {
    // An alias expanding to an exponential tree ("billion laughs") stops here.
    throw new ConfigError(
      `${shown}: invalid YAML: ${error instanceof Error ? error.message : String(error)}`
    );
  }
  if (!isPlainObject(written)) throw new ConfigError(`${shown}: expected a mapping of keys at the top level`);
  const overrides = (options.overrides ?? []).map(parseOverride);
  const switches = Object.assign({}, ...options.catalog.steps.map((s) => s.switches ?? {}));
  const raw = applyOverrides(written, overrides, switches);
  const where = locator(doc.contents, lineCounter, shown);
  const fail = (issues: ConfigIssue[], schema: z.ZodType): never => {
    throw new ConfigError(issues.map((i) => describeIssue(i, raw, overrides, where, schema)).join("\n"));
  };

  // The workspace's steps first: their schemas are part of the config's.
  const cacheDir = moduleCacheDir(storeRoot({path}));
  const modules = new Map<string, WorkspaceModule>();
  const load = async (relativePath: string, key: (string | number)[]) => {
    const absolute = resolve(base, relativePath);
    try {
      modules.set(absolute, modules.get(absolute) ?? (await loadWorkspaceModule(absolute, {base, cacheDir})));
    } catch (error) {
      if (!(error instanceof ModuleError)) throw error;
      throw new ConfigError(`${locate(where, key, overrides)}: invalid ${key.join(".")}: ${error.message}`, {
        cause: error
      });
    }
    return modules.get(absolute)!;
  };
  const catalog = await withWorkspaceSteps(options.catalog, raw, load, (issues) =>
    fail(issues, z.object({steps: z.record(z.string(), workspaceStepConfig)}))
  );

  const schema = configSchema(catalog);
  const result = schema.safeParse(raw);
  if (!result.success) fail(result.error.issues, schema);
  const config = result.data as LoadedConfig["config"];
  for (const step of catalog.steps) {
    for (const {path: module, key} of step.modules?.(config) ?? []) await load(module, key);
  }
  const env = configureEnv(base, modules);
  const issues = [
    ...catalog.steps.flatMap((s) => s.validate?.(config, env) ?? []),
    ...catalog.addOns.flatMap((a) => a.validate?.(config, env) ?? [])
  ];
  if (issues.length) fail(issues, schema);
  const loaded: LoadedConfig = {
    config,
    path,
    raw,
    catalog,
    modules,
    locate: (key) => locate(where, key, overrides)
  };
  buildGraph(loaded); // placement and bindings are checked now, with the rest of the config
  return loaded;
}

/**
 * The config schema of a catalog: the engine's keys, each step's sections and the add-ons', and
 * under `steps:` each workspace step's entry with its params checked by the step's own schema.
 */
export function configSchema(catalog: Catalog): z.ZodType {
  const sections = catalogSections(catalog);
  const workspace = catalog.steps.filter((s) => s.workspace);
  const steps = workspace.length
    ? z
        .object(
          Object.fromEntries(
            workspace.map((s) => [s.name, workspaceStepConfig.extend({params: strictParams(s)})])
          )
        )
        .strict()
    : sections.steps;
  return z.object({...sections, steps}).strict();
}

/** A workspace step's params schema, with unknown keys refused (a typo must not pass silently). */
function strictParams(step: NamedStep): z.ZodType {
  const schema = step.params as z.ZodType & {strict?: () => z.ZodType};
  const strict =
    (schema._zod.def as {type: string}).type === "object" && schema.strict ? schema.strict() : schema;
  return z.preprocess((v) => v ?? {}, strict);
}

/** The catalog with the workspace's steps (`steps:` in the config) added, each loaded from its module. */
async function withWorkspaceSteps(
  catalog: Catalog,
  raw: Record<string, unknown>,
  load: (path: string, key: (string | number)[]) => Promise<WorkspaceModule>,
  fail: (issues: ConfigIssue[]) => never
): Promise<Catalog> {
  const entries = z.record(z.string(), workspaceStepConfig).optional().safeParse(raw.steps);
  if (!entries.success) fail(entries.error.issues.map((i) => ({...i, path: ["steps", ...i.path]})));
  const given = entries.data ?? {};
  if (!Object.keys(given).length) return catalog;
  const builtIn = new Map(catalog.steps.map((s) => [s.name, s]));
  const issues: ConfigIssue[] = [];
  const steps = [...catalog.steps];
  for (const [name, entry] of Object.entries(given)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      issues.push({
        path: ["steps", name],
        message: "a step name is letters, digits and _ (it names a folder and SQL views)"
      });
      continue;
    }
    if (builtIn.has(name) && !entry.override) {
      issues.push({
        path: ["steps", name],
        message: `${name} is a built-in step: name yours otherwise, or set override: true to replace it`
      });
      continue;
    }
    const module = await load(entry.module, ["steps", name, "module"]);
    let step: NamedStep;
    try {
      step = workspaceStep(name, module);
    } catch (error) {
      issues.push({path: ["steps", name, "module"], message: (error as Error).message});
      continue;
    }
    const at = steps.findIndex((s) => s.name === name);
    if (at >= 0) steps[at] = step;
    else steps.push(step);
  }
  if (issues.length) fail(issues);
  return {steps, addOns: catalog.addOns};
}

function locate(where: Locate, key: (string | number)[], overrides: readonly Override[]): string {
  const path = key.join(".");
  const override = overrides.find(
    (o) => path === o.path.join(".") || path.startsWith(`${o.path.join(".")}.`)
  );
  return override ? `override ${override.text}` : where(key);
}
