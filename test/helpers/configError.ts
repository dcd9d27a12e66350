import {ConfigError} from "../../src/pipeline/errors.ts";

/** The message of the ConfigError `fn` rejects with; anything else fails the test. */
export async function configError(fn: () => Promise<unknown>): Promise<string> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e
  );
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error.message;
}
