// Bundles the CLI (src/cli/main.ts and what it imports) into lib/ with esbuild, so a fully fresh
// `mlbook run` does not pay for compiling and resolving ~200 TypeScript modules on every start.
// Each module's `import.meta.url` is replaced by its source file's URL: code digests (cache keys)
// and worker entry points keep reading the TypeScript sources, exactly as under tsx.
import {build} from "esbuild";
import {existsSync} from "node:fs";
import {mkdir, readdir, readFile, rename, rm, stat} from "node:fs/promises";
import {dirname, join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Packages bundled into lib/ instead of loaded from node_modules file by file: DuckDB's
 * JavaScript API (~60 CommonJS files, ~200 ms to resolve and load one by one, ~70 ms bundled; its
 * native binding stays outside), and the config's parsers and the CLI's (yaml, zod, commander:
 * ~50 files). Everything else (Framework, vega …) loads only where a command needs it.
 */
const bundled = ["@duckdb/node-api", "yaml", "zod", "commander"];

/**
 * Builds lib/ into a temp folder, then moves it in file by file: chunks first (their names carry
 * a hash of their content, so a name already there holds the same bytes), entries last (each
 * rename is atomic). A process starting while this runs — a page loader the live preview starts,
 * another mlbook command — imports either the old entry with its old chunks or the new one with
 * its new chunks, never a missing file. Chunks no entry names any more are removed an hour after
 * they were built: a long-running process may still import one lazily.
 */
export async function bundle() {
  const out = join(root, `lib.${process.pid}.tmp`);
  const builtAt = Date.now();
  const entryPoints = Object.fromEntries(
    Object.entries({
      main: join(root, "src", "cli", "main.ts"),
      index: join(root, "src", "index.ts"),
      loaders: join(root, "src", "loaders", "index.ts"),
      site: join(root, "src", "site", "index.ts"),
      receipt: join(root, "src", "cli", "receipt.ts"),
      worker: join(root, "src", "cli", "sweepWorker.ts"),
      forestWorker: join(root, "src", "pipeline", "ml", "forest", "forestWorker.ts"),
      hgbHelper: join(root, "src", "pipeline", "ml", "hgb", "hgbHelper.ts"),
      hgbPredictHelper: join(root, "src", "pipeline", "ml", "hgb", "hgbPredictHelper.ts"),
      logisticHelper: join(root, "src", "pipeline", "ml", "linear", "logisticHelper.ts")
    }).filter(([name, path]) => name === "main" || existsSync(path))
  );
  await build({
    // main: the CLI; index: the public API (`import … from "mlbook"`, also what workspace modules
    // loaded by the CLI get); loaders and site: a workspace's page loaders and site config
    // (`mlbook/loaders`, `mlbook/site`); receipt: the all-fresh fast path bin/mlbook.js tries first (src/cli/receipt.ts);
    // worker: the sweep worker process (src/cli/sweepWorker.ts); forestWorker, hgbHelper,
    // hgbPredictHelper and logisticHelper: the worker threads of a forest fit, a boosting fit, a
    // boosting prediction and a logistic regression fit (src/pipeline/ml/threads/startThread.ts).
    // An entry whose source is missing (a checkout without it) is left out rather than failing
    // the whole build: lib/main.js alone still runs the CLI.
    entryPoints,
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Packages stay in node_modules, but for those every command loads (`bundled`, below).
    // Bundled CommonJS requires DuckDB's binding, so each output file gets a `require` of its own.
    banner: {
      js: 'import {createRequire as __createRequire} from "node:module"; const require = __createRequire(import.meta.url);'
    },
    logLevel: "error",
    // The bundled engine knows it is one (src/pipeline/engine/workspaceModule.ts),
    // and when it was built: a page loader refuses to run a bundle older than the sources
    // (src/pipeline/ml/threads/bundledEntry.ts).
    define: {__MLBOOK_BUNDLED__: "true", __MLBOOK_BUNDLED_AT__: String(builtAt)},
    plugins: [
      {
        name: "external-packages",
        setup(b) {
          b.onResolve({filter: /^[^./]/}, (args) =>
            bundled.some((name) => args.path === name || args.path.startsWith(`${name}/`))
              ? undefined
              : {path: args.path, external: true}
          );
        }
      },
      {
        name: "source-urls",
        setup(b) {
          b.onLoad({filter: /\.ts$/}, async (args) => ({
            contents: (await readFile(args.path, "utf8")).replaceAll(
              "import.meta.url",
              JSON.stringify(pathToFileURL(args.path).href)
            ),
            loader: "ts"
          }));
        }
      }
    ]
  });
  const lib = join(root, "lib");
  await mkdir(lib, {recursive: true});
  const entries = new Set(Object.keys(entryPoints).map((name) => `${name}.js`));
  const built = await readdir(out);
  const chunks = built.filter((name) => !entries.has(name));
  for (const name of [...chunks, ...built.filter((name) => entries.has(name))])
    await rename(join(out, name), join(lib, name));
  await rm(out, {recursive: true, force: true});
  const kept = new Set(built);
  for (const name of await readdir(lib)) {
    if (kept.has(name) || !name.endsWith(".js")) continue;
    const path = join(lib, name);
    const info = await stat(path).catch(() => null);
    if (info && info.mtimeMs < builtAt - 3_600_000) await rm(path, {force: true});
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
