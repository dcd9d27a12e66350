import type {z} from "zod";
import {ConfigError, formatValue} from "../../errors.ts";

/**
 * Validates raw params at the edge into the schema's typed value, or throws one ConfigError in the
 * house shape `invalid <where>.<key>: <value> (expected …)`.
 */
export function parseParams<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.output<S> {
  const result = schema.safeParse(raw ?? {}, {reportInput: true});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = [where, ...issue.path.map(String)].filter(Boolean).join(".");
  return fail(`invalid ${key}: ${formatValue(issue.input)} (expected ${expected(issue)})`);
}

function fail(message: string): never {
  throw new ConfigError(message);
}

function expected(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value") return `one of ${issue.values.map((v) => formatValue(v)).join(", ")}`;
  if (issue.code === "unrecognized_keys") return `no unknown keys, got ${issue.keys.join(", ")}`;
  if (issue.code === "too_small") return `a value ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
  if (issue.code === "too_big") return `a value ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
  if (issue.code === "invalid_type") return `a ${issue.expected}`;
  return issue.message;
}
