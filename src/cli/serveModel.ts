import {readFileSync} from "node:fs";
import {ConfigError} from "../pipeline/errors.ts";
import {loadModel} from "../pipeline/score/model.ts";
import type {ServedModel} from "../server/modelApp.ts";
import {parseSize} from "../server/parseSize.ts";
import {serveUntilStopped, warmModel} from "../server/serveUntilStopped.ts";
import {resolveModelRef, type ModelRef} from "./modelRef.ts";

export interface ServeModelOptions {
  config: string;
  host: string;
  port: string;
  maxBody: string;
  watchAlias?: boolean;
  /** Seconds between looks at the alias. */
  watchInterval: string;
}

const {version} = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/**
 * `mlbook serve-model REF`: the model's scoring API (src/server) until SIGTERM or SIGINT. With
 * --watch-alias, a NAME@ALIAS that moves to another version is loaded and swapped in.
 */
export async function serveModelCommand(ref: string, options: ServeModelOptions): Promise<void> {
  const port = Number(options.port);
  if (!/^\d+$/.test(options.port) || port > 65535)
    throw new ConfigError(`invalid --port: ${options.port} (expected 0-65535)`);
  const maxBody = parseSize(options.maxBody);
  const every = Number(options.watchInterval);
  if (!(every > 0)) throw new ConfigError(`invalid --watch-interval: ${options.watchInterval} (seconds)`);
  if (options.watchAlias && !/^[^@]+@[^@]+$/.test(ref))
    throw new ConfigError(`--watch-alias needs NAME@ALIAS (got ${ref})`);
  const load = async (found: ModelRef): Promise<ServedModel> => ({
    model: await warmModel(await loadModel(found.file, {base: found.base})),
    name: found.name,
    version: found.version,
    run: found.run,
    source: found.file
  });
  const first = await load(await resolveModelRef(ref, options.config));
  await serveUntilStopped(first, {
    host: options.host,
    port,
    maxBody,
    version,
    reload: options.watchAlias
      ? {
          everyMs: every * 1000,
          async next(current) {
            const found = await resolveModelRef(ref, options.config);
            return found.file === current.source ? undefined : load(found);
          }
        }
      : undefined
  });
}
