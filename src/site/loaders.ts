import {readdirSync, statSync} from "node:fs";
import {join, relative} from "node:path";

/** A Framework data loader and the cached output Framework keeps for it. */
export interface LoaderFile {
  /** Loader source, relative to the docs root (`data/home.json.js`). */
  loader: string;
  /** Output path relative to the docs root (`data/home.json`). */
  target: string;
  /** Framework's cached output for it. */
  cache: string;
  /** The pipeline config this output reads. */
  config: string;
  /** The `[pipeline]` route param (passed to the loader as `--pipeline=`), for a parameterised loader. */
  pipeline?: string;
}

const loaderPattern = /\.(json|csv|tsv|parquet|arrow|txt)\.(js|ts)$/;

/**
 * Lists the JavaScript and TypeScript data loaders under `<docs>/data`. A loader inside a `[pipeline]` folder is
 * a parameterised route, made once per pipeline config; any other reads the default config.
 */
export function listLoaders(
  projectRoot: string,
  pipelines: Record<string, string>,
  defaultConfig: string
): LoaderFile[] {
  const docs = join(projectRoot, "docs");
  const out: LoaderFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (loaderPattern.test(name)) {
        const loader = relative(docs, path);
        const target = loader.replace(/\.(js|ts)$/, "");
        if (target.includes("[pipeline]")) {
          for (const [pipeline, config] of Object.entries(pipelines)) {
            const concrete = target.replace("[pipeline]", pipeline);
            out.push({
              loader,
              target: concrete,
              cache: join(docs, ".observablehq", "cache", concrete),
              config,
              pipeline
            });
          }
        } else {
          out.push({
            loader,
            target,
            cache: join(docs, ".observablehq", "cache", target),
            config: defaultConfig
          });
        }
      }
    }
  };
  walk(join(docs, "data"));
  return out;
}
