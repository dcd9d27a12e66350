import {readFileSync} from "node:fs";
import {relative, resolve} from "node:path";
import {LineCounter, parseDocument, isMap, isScalar, type Node} from "yaml";
import {z} from "zod";
import {ConfigError, formatValue} from "../errors.ts";
import {metricNames} from "../ml/metrics/index.ts";
import {modelSpec, modelTypes} from "../ml/registry.ts";
import {checkParams} from "../steps/checks/rules.ts";
import {cleanParams} from "../steps/clean.ts";
import {evaluateParams} from "../steps/evaluate.ts";
import {formats} from "../steps/ingest.ts";
import {registerParams} from "../steps/register.ts";
import {featurizeParams} from "../steps/featurize.ts";
import {refineSplit, splitFields} from "../steps/split.ts";
import {featuresParams, modelParams} from "../steps/train.ts";
import {columnTransformerSpec} from "../ml/transforms/columnTransformer.ts";
import {artifactsConfig, fromConfig, trackingConfig} from "../tracking/configSchema.ts";
import {isSweep, parseOverride as parseOverrideText, type OverrideKind} from "./overrideGrammar.ts";
import {sweepSchema} from "../sweep/sweepSchema.ts";

/**
 * The pipeline config. Each section holds one step's params (the step's own schema, minus what the
 * pipeline passes in, such as the target), so a key documented on a step is the key a user writes.
 */
export const configSchema = z
  .object({
    /** Names the pipeline in runs, the registry and the report. */
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, "expected letters, digits, _ . -"),
    description: z.string().optional(),
    data: z
      .object({
        /** A file path (relative to the config), a package path like vega-datasets/data/penguins.json. */
        source: z.string().min(1).optional(),
        /** Instead of `source`: named files (paths or package paths) and a DuckDB query over them. */
        tables: z
          .record(z.string().regex(/^[A-Za-z_]\w*$/, "expected a SQL name"), z.string().min(1))
          .optional(),
        sql: z.string().min(1).optional(),
        format: z.enum(formats).optional(),
        columns: z.record(z.string(), z.string()).prefault({}),
        sample: z.number().int().positive().optional(),
        /** For a URL source: change this to fetch the URL again. */
        refresh: z.union([z.string(), z.number()]).default(0),
        /** The column to predict. */
        target: z.string().min(1),
        task: z.enum(["classification", "regression"]).default("classification")
      })
      .strict(),
    clean: cleanParams.omit({target: true}).prefault({}),
    /** Optional data validation of the cleaned rows: expectations and drift (exit 3 on failure). */
    check: checkParams.optional(),
    /** Optional stateless features (date parts, log1p, crossings, windows over earlier rows). */
    featurize: featurizeParams.optional(),
    split: refineSplit(splitFields.omit({target: true, classification: true})).prefault({}),
    features: featuresParams.prefault({}),
    transform: columnTransformerSpec.prefault({}),
    model: modelParams,
    train: z
      .object({
        seed: z.number().int().default(0),
        /** Worker threads; unset, the model's own setting (random_forest n_jobs) decides, else 1. */
        threads: z.number().int().positive().optional()
      })
      .strict()
      .prefault({}),
    evaluate: evaluateParams.prefault({}),
    /** How a sweep picks its best job: by this metric's cross-validated mean (needs evaluate.cv). */
    selection: z
      .object({metric: z.string(), goal: z.enum(["maximize", "minimize"]).optional()})
      .strict()
      .optional(),
    /** Per step: retry transient failures (network, a busy database) `attempts` times with backoff. */
    retries: z
      .record(
        z.string(),
        z.object({attempts: z.number().int().min(1).max(20), backoff: z.number().min(0).default(1)}).strict()
      )
      .default({}),
    /** Registers the model when its test metrics pass the criteria; no register step without it. */
    register: registerParams.optional(),
    /** Names and types of step outputs (`clean.data: clean_penguins`). */
    artifacts: artifactsConfig,
    tracking: trackingConfig.prefault({}),
    /** Pins steps to recorded artifact versions: `[clean_data:v3]` (default none). */
    from: fromConfig,
    /** Jobs that `mlbook run` runs as a sweep (see src/pipeline/sweep/); no sweep without it. */
    sweep: sweepSchema.optional()
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.selection && !config.evaluate.cv) {
      ctx.addIssue({
        code: "custom",
        path: ["selection"],
        message:
          "selection picks by cross-validated scores on the training rows: add evaluate.cv (picking on the test split would leak it)"
      });
    }
    if (config.selection && !metricNames.includes(config.selection.metric)) {
      ctx.addIssue({
        code: "custom",
        path: ["selection", "metric"],
        message: `expected one of ${metricNames.join(", ")}`
      });
    }
    if (!config.data.source === !config.data.sql) {
      ctx.addIssue({
        code: "custom",
        path: ["data", "source"],
        message: "give either data.source or data.sql (with data.tables)"
      });
    }
    if (config.data.sql && !config.data.tables) {
      ctx.addIssue({
        code: "custom",
        path: ["data", "tables"],
        message: "data.sql needs data.tables: {name: file}"
      });
    }
    if (!modelTypes().includes(config.model.type)) return;
    const spec = modelSpec(config.model.type);
    if (!spec.tasks.includes(config.data.task)) {
      const fitting = modelTypes().filter((t) => modelSpec(t).tasks.includes(config.data.task));
      ctx.addIssue({
        code: "custom",
        path: ["model", "type"],
        message: `${config.data.task} needs one of ${fitting.join(", ")}`
      });
    }
    const result = spec.params.safeParse(config.model.params);
    if (!result.success) {
      for (const issue of result.error.issues)
        ctx.addIssue({...issue, path: ["model", "params", ...issue.path]} as never);
    }
  });

export type Config = z.infer<typeof configSchema>;

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file; relative data paths resolve against its folder. */
  path: string;
  /** The config after overrides, before defaults: what a user wrote. */
  raw: Record<string, unknown>;
}

/**
 * One plain override from the command line, in Hydra's grammar (src/pipeline/sweep/grammar.ts):
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

export function loadConfig(file: string, overrides: readonly string[] = []): LoadedConfig {
  const path = resolve(file);
  const shown = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(`${shown}: cannot read the config file`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, prettyErrors: false});
  if (doc.errors.length) {
    const error = doc.errors[0];
    const {line, col} = lineCounter.linePos(error.pos[0]);
    throw new ConfigError(`${shown}:${line}:${col}: invalid YAML: ${error.message.split("\n")[0]}`);
  }
  const raw = doc.toJS() ?? {};
  if (!isPlainObject(raw)) throw new ConfigError(`${shown}: expected a mapping of keys at the top level`);
  const parsed = overrides.map(parseOverride);
  const applied = applyOverrides(raw, parsed);
  const result = configSchema.safeParse(applied);
  if (!result.success) {
    const messages = result.error.issues.map((issue) =>
      describeIssue(issue, applied, parsed, (p) => locate(doc.contents, p, lineCounter, shown))
    );
    throw new ConfigError(messages.join("\n"));
  }
  return {config: result.data, path, raw: applied};
}

/**
 * Applies overrides to a copy of the raw config. Changing `model.type` drops the file's
 * `model.params`: they were written for the other model (as a Hydra config group would).
 */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: readonly Override[]
): Record<string, unknown> {
  const out = structuredClone(raw);
  const model = out.model as Record<string, unknown> | undefined;
  const typeOverride = overrides.find((o) => o.kind !== "delete" && o.path.join(".") === "model.type");
  if (typeOverride && isPlainObject(model) && model.type !== typeOverride.value) delete model.params;
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

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  raw: Record<string, unknown>,
  overrides: readonly Override[],
  where: (path: (string | number)[]) => string
): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const full = [...path, key];
        const known = knownKeys(path);
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
  const expected = expectation(issue);
  if (value === undefined && issue.code === "invalid_type") {
    return `${origin(path, overrides, where)}missing required key ${key} (expected ${issue.expected})`;
  }
  return `${origin(path, overrides, where)}invalid ${key}: ${formatValue(value)} (${expected})`;
}

function origin(path: string[], overrides: readonly Override[], where: (path: string[]) => string): string {
  const override = overrides.find(
    (o) => o.path.join(".") === path.join(".") || path.join(".").startsWith(o.path.join(".") + ".")
  );
  return override ? `override ${override.text}: ` : `${where(path)}: `;
}

function expectation(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `expected ${issue.origin === "array" ? "at least" : issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `expected ${issue.origin === "array" ? "at most" : issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    default:
      return issue.message.replace(/^Invalid input: /, "");
  }
}

/** The keys the schema allows at a path, to suggest the right spelling. */
function knownKeys(path: string[]): string[] {
  if (path.length === 2 && path[0] === "model" && path[1] === "params") return [];
  let schema: z.ZodType = configSchema;
  for (const key of [...path, null]) {
    let def = schema._zod.def as {
      type: string;
      innerType?: z.ZodType;
      in?: z.ZodType;
      shape?: Record<string, z.ZodType>;
    };
    while (def.innerType || def.in) {
      schema = (def.innerType ?? def.in)!;
      def = schema._zod.def as typeof def;
    }
    if (def.type !== "object" || !def.shape) return [];
    if (key === null) return Object.keys(def.shape);
    schema = def.shape[key];
    if (!schema) return [];
  }
  return [];
}

/** The known key a typo most likely meant: within two edits, or none. */
function closest(key: string, known: string[]): string | undefined {
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

function editDistance(a: string, b: string): number {
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

function valueAt(raw: unknown, path: string[]): unknown {
  let node = raw;
  for (const key of path) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function locate(
  root: Node | null,
  path: (string | number)[],
  lineCounter: LineCounter,
  file: string
): string {
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
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
