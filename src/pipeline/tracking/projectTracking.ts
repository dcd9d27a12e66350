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
  return projectOf(configFile).tracking;
}

/** The project's tracking, and the config's pipeline name (whose artifacts a bare name means). */
export function projectOf(configFile: string): {tracking: Tracking; pipeline: string} {
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
  const name = (raw as {name?: unknown} | null)?.name;
  return {tracking: trackingOf(loaded, storeRoot(loaded)), pipeline: typeof name === "string" ? name : ""};
}
