import {existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import {ConfigError} from "../errors.ts";
import type {Tracking} from "./trackingTx.ts";

/** The file in a store root naming the one tracking database that store belongs to. */
const BINDING = "tracking-database";

/**
 * Ties a store to one tracking database. The configs of one folder share its store (`.mlbook`),
 * its run journal and so what `mlbook gc` may delete; were two of them to record runs in different
 * databases (one with `tracking.path`, one without), gc reading one database would delete entries
 * the other's runs still use, and either database would take in the other's journaled runs.
 *
 * The first database used with a store is written to `<root>/tracking-database` (relative to the
 * root, so a moved project keeps it). Another database then fails with a ConfigError naming both,
 * before anything is run or written. A bound database that no longer exists (deleted, or moved to
 * the new tracking.path) gives way to the new one.
 */
export function bindTracking(tracking: Tracking, configFile?: string): void {
  const file = join(tracking.root, BINDING);
  const wanted = resolve(tracking.path);
  let bound: string | undefined;
  try {
    bound = resolve(tracking.root, readFileSync(file, "utf8").trim());
  } catch {
    // no binding yet
  }
  if (bound === wanted) return;
  if (bound !== undefined && existsSync(bound)) {
    // The same file reached another way (a symlinked folder) is the same database.
    if (existsSync(wanted) && realpathSync(bound) === realpathSync(wanted)) return;
    const shown = (p: string) => relative(process.cwd(), p) || ".";
    throw new ConfigError(
      `${configFile ? `${shown(configFile)}: ` : ""}invalid tracking.path: this config records runs in ${shown(wanted)}, ` +
        `but the store ${shown(tracking.root)} belongs to ${shown(bound)} (configs of one folder share one store, ` +
        `so they must share one tracking database). Give every config of the folder the same tracking.path ` +
        `(or none), or move ${shown(bound)} to ${shown(wanted)}`
    );
  }
  mkdirSync(tracking.root, {recursive: true});
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${relative(tracking.root, wanted)}\n`);
  renameSync(tmp, file);
}
