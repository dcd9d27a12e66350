import {join, resolve} from "node:path";
import {pathToFileURL} from "node:url";
import {DataError} from "../errors.ts";
import type {WorkspaceModule} from "./step.ts";
import {loadWorkspaceModule} from "./workspaceModule.ts";

/** A workspace module a model bundle names: its path (from the config's folder) and code digest. */
export interface ModuleRef {
  path: string;
  digest: string;
}

/**
 * Finds the workspace module a bundle uses — its model's, a step it replays — as the very code
 * it was trained with. `use` names the user in errors ("model module", "step beakRatio's module").
 */
export type ModuleSource = (ref: ModuleRef, use: string) => Promise<WorkspaceModule>;

/**
 * Modules compiled from their sources in the workspace at `base` (the folder of the config that
 * trained the model), refused when their code changed since: the same fitted state could then
 * score differently.
 */
export function workspaceModules(base: string): ModuleSource {
  return async (ref, use) => {
    const module = await loadWorkspaceModule(resolve(base, ref.path), {
      base,
      cacheDir: join(base, ".mlbook", "modules")
    }).catch((error: Error) => {
      throw new DataError(`${use} ${ref.path} cannot be loaded: ${error.message}`, {cause: error});
    });
    if (module.digest !== ref.digest)
      throw new DataError(
        `${use} ${ref.path} changed since this model was trained (code ${module.digest.slice(0, 12)}, ` +
          `trained with ${ref.digest.slice(0, 12)}): restore the module's code, or train the model again`
      );
    return module;
  };
}

/**
 * Modules compiled ahead of time into `dir` (an exported model: `mlbook export`), by digest:
 * the code that was checked against the bundle's digests when the folder was written.
 */
export function compiledModules(dir: string, files: Readonly<Record<string, string>>): ModuleSource {
  return async (ref, use) => {
    const file = files[ref.digest];
    if (!file)
      throw new DataError(
        `${use} ${ref.path} (code ${ref.digest.slice(0, 12)}) is not in ${dir}: export the model again`
      );
    const path = join(dir, file);
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      throw new DataError(`${use} ${ref.path} cannot be loaded from ${file}: ${(error as Error).message}`, {
        cause: error
      });
    }
    return {path, shown: ref.path, base: dir, digest: ref.digest, files: [path], exports};
  };
}
