import {readFileSync} from "node:fs";
import {relative, resolve} from "node:path";
import {parse} from "yaml";
import {storeRoot} from "../engine/loadedConfig.ts";
import {ConfigError} from "../errors.ts";
import {trackingConfig} from "./configSchema.ts";
import {trackingOf} from "./trackingPath.ts";
import type {Tracking} from "./trackingTx.ts";
import {YAML_OPTIONS} from "../engine/yamlOptions.ts";

/**
 * The tracking of the project a config file belongs to. Only the file's `tracking:` section is
 * read: listing runs needs neither the pipeline's steps nor its modules.
 */
export function projectTracking(configFile: string): Tracking {
  const path = resolve(configFile);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"), YAML_OPTIONS);
  } catch (error) {
    const shown = relative(process.cwd(), path) || path;
    throw new ConfigError(
      (error as NodeJS.ErrnoException).code
        ? `${shown}: cannot read the config file`
        : `${shown}: invalid YAML`
    );
  }
  const section = trackingConfig.safeParse((raw as {tracking?: unknown} | null)?.tracking ?? {});
  if (!section.success)
    throw new ConfigError(`${configFile}: invalid tracking: ${section.error.issues[0].message}`);
  const loaded = {
    path,
    config: {name: "", steps: {}, retries: {}, artifacts: {}, from: [], tracking: section.data}
  };
  return trackingOf(loaded, storeRoot(loaded));
}
