import {ConfigError} from "../pipeline/errors.ts";

/** A flag's value as a positive integer (undefined when the flag was not given); refused otherwise. */
export function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`invalid ${flag}: ${JSON.stringify(text)} (expected a positive integer)`);
  return n;
}
