import {Store} from "../pipeline/engine/store.ts";
import {DataError} from "../pipeline/errors.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";

/**
 * `mlbook verify [--fix]`: hashes every store entry's files again, whatever their stamps say
 * (runs trust a file's size, mtime, change time and inode; this trusts nothing), and names each
 * corrupt entry. `--fix` discards them, so the next run rebuilds them. Exit 1 while any remains.
 */
export async function verifyCommand(options: {config: string; fix?: boolean; json?: boolean}): Promise<void> {
  const {root} = projectTracking(options.config);
  const {checked, corrupt} = await new Store(root).verifyAll(options.fix);
  if (options.json) console.log(JSON.stringify({checked, corrupt, fixed: Boolean(options.fix)}, null, 2));
  else {
    for (const c of corrupt)
      console.log(
        `  corrupt ${c.step}/${c.key.slice(0, 12)}: ${c.reason}${options.fix ? " (discarded)" : ""}`
      );
    console.log(
      `checked ${checked} store entr${checked === 1 ? "y" : "ies"}: ${corrupt.length} corrupt${corrupt.length && options.fix ? ", discarded: the next run rebuilds them" : ""}`
    );
  }
  if (corrupt.length && !options.fix)
    throw new DataError(
      `${corrupt.length} corrupt store entr${corrupt.length === 1 ? "y" : "ies"}: mlbook verify --fix discards them (the next run rebuilds them)`
    );
}
