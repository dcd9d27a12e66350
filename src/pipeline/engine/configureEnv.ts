import {isAbsolute, resolve} from "node:path";
import {ConfigError} from "../errors.ts";
import {resolveSource} from "./resolveSource.ts";
import type {ConfigureEnv, ResolvedArtifact, WorkspaceModule} from "./step.ts";

/** What configure and validate get: paths, the loaded modules, and no artifacts until a run resolves them. */
export function configureEnv(
  base: string,
  modules: ReadonlyMap<string, WorkspaceModule>,
  artifacts: ReadonlyMap<string, ResolvedArtifact> = new Map(),
  /** Collects the project paths resolving looked at: a package path holds only while they stay absent. */
  probed?: Set<string>
): ConfigureEnv {
  return {
    base,
    resolveSource: (source) => {
      if (!isAbsolute(source)) probed?.add(resolve(base, source));
      return resolveSource(source, base);
    },
    module(path) {
      const module = modules.get(resolve(base, path));
      if (!module)
        throw new ConfigError(`module ${path} was not loaded with the config (name it in modules())`);
      return module;
    },
    artifact: (ref) => artifacts.get(ref)
  };
}
