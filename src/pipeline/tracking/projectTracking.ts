import {readFileSync} from "node:fs";
import {relative, resolve} from "node:path";
import {storeRoot} from "../engine/loadedConfig.ts";
import {ConfigError} from "../errors.ts";
import {trackingConfig} from "./configSchema.ts";
import {trackingOf} from "./trackingPath.ts";
import type {Tracking} from "./trackingTx.ts";
import {parseYaml} from "../engine/yamlOptions.ts";

/**
 * The tracking of the project a config file belongs to. Only the file's `tracking:` section is
 * read: listing runs needs neither the pipeline's steps nor its modules.
 */
export function projectTracking(configFile: string): Tracking {
  const path = resolve(configFile);
  let raw: unknown;
  const shown = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(`${shown}: cannot read the config file`);
  }
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${shown}: invalid YAML (${(error as Error).message.split("\n")[0]})`);
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
