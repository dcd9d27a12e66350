import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import {Worker, type WorkerOptions} from "node:worker_threads";
import {bundledEntry} from "./bundledEntry.ts";

/**
 * Starts a worker thread on `entry`, a module of src/: from its bundled copy (lib/<name>.js) when
 * the bundle is fresh, else the TypeScript through tsx. Under tsx (tests, benches) a worker does
 * not inherit tsx's loader hooks on Node 20, so a .ts entry is loaded through tsx's `tsImport`
 * from a tiny bootstrap.
 */
export function startThread(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const name = entry.pathname.split("/").pop()!.replace(/\.ts$/, "");
  const bundled = bundledEntry(name);
  if (bundled) return new Worker(bundled, options);
  const api = tsxApiUrl();
  const code =
    `import(${JSON.stringify(api)}).then((m) => (m.tsImport ?? m.default.tsImport)(` +
    `${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(code, {...options, eval: true});
}

/** tsx's ESM API (its CommonJS build cannot tsImport), resolved from this package. */
function tsxApiUrl(): string {
  if (typeof import.meta.resolve === "function") return import.meta.resolve("tsx/esm/api");
  const cjs = createRequire(import.meta.url).resolve("tsx/esm/api");
  return pathToFileURL(cjs.replace(/\.cjs$/, ".mjs")).href;
}
