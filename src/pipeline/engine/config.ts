import {dirname, resolve} from "node:path";
import {z} from "zod";
import {ConfigError} from "../errors.ts";
import {catalogSections, type Catalog, type NamedStep} from "./catalog.ts";
import {composeConfig} from "./composeConfig.ts";
import {describeIssue, type Locate} from "./configIssues.ts";
import {hasReferences, interpolate} from "./interpolate.ts";
import {workspaceStepConfig} from "./coreConfig.ts";
import {applyOverrides, parseOverride, type Override} from "./overrides.ts";
import {configureEnv} from "./configureEnv.ts";
import {buildGraph} from "./graph.ts";
import {storeRoot, type LoadedConfig} from "./loadedConfig.ts";
import type {ConfigIssue, WorkspaceModule} from "./step.ts";
import {loadWorkspaceModule, moduleCacheDir, ModuleError} from "./workspaceModule.ts";
import {workspaceStep} from "./workspaceStep.ts";

/**
 * Reads a pipeline config and its config groups (composeConfig.ts), applies command-line overrides,
 * resolves `${key}` references (interpolate.ts), loads the workspace's step and model modules it
 * names, and validates the whole against the schema the catalog's steps assemble. Any
 * problem stops here, before anything runs: each names the file, line and key, the value and what
 * was expected (exit code 2).
 */
export async function loadPipelineConfig(
  file: string,
  options: {catalog: Catalog; overrides?: readonly string[]}
): Promise<LoadedConfig> {
  const path = resolve(file);
  const base = dirname(path);
  // The file, its config groups (defaults:) and the overrides, composed; then ${…} references.
  const composed = composeConfig(path, (options.overrides ?? []).map(parseOverride));
  const {overrides} = composed;
  const switches = Object.assign({}, ...options.catalog.steps.map((s) => s.switches ?? {}));
  const applied = applyOverrides(composed.raw, overrides, switches);
  const where = composed.where;
  const raw = hasReferences(applied) ? interpolate(applied, (key) => locate(where, key, overrides)) : applied;
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
    files: composed.files,
    probed: composed.probed,
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
