// Bundles the CLI (src/cli/main.ts and what it imports) into lib/ with esbuild, so a fully fresh
// `mlbook run` does not pay for compiling and resolving ~200 TypeScript modules on every start.
// Each module's `import.meta.url` is replaced by its source file's URL: code digests (cache keys)
// and worker entry points keep reading the TypeScript sources, exactly as under tsx.
import {build} from "esbuild";
import {existsSync} from "node:fs";
import {readFile, rename, rm} from "node:fs/promises";
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

/** Builds lib/ into a temp folder and swaps it in, so a concurrent reader never sees half a build. */
export async function bundle() {
  const out = join(root, `lib.${process.pid}.tmp`);
  await build({
    // main: the CLI; index: the public API (`import … from "mlbook"`, also what workspace modules
    // loaded by the CLI get); loaders and site: a workspace's page loaders and site config
    // (`mlbook/loaders`, `mlbook/site`); receipt: the all-fresh fast path bin/mlbook.js tries first (src/cli/receipt.ts);
    // worker: the sweep worker process (src/cli/sweepWorker.ts); forestWorker, hgbHelper and
    // hgbPredictHelper: the worker threads of a forest fit, a boosting fit and a boosting
    // prediction (src/pipeline/ml/threads/startThread.ts).
    // An entry whose source is missing (a checkout without it) is left out rather than failing
    // the whole build: lib/main.js alone still runs the CLI.
    entryPoints: Object.fromEntries(
      Object.entries({
        main: join(root, "src", "cli", "main.ts"),
        index: join(root, "src", "index.ts"),
        loaders: join(root, "src", "loaders", "index.ts"),
        site: join(root, "src", "site", "index.ts"),
        receipt: join(root, "src", "cli", "receipt.ts"),
        worker: join(root, "src", "cli", "sweepWorker.ts"),
        forestWorker: join(root, "src", "pipeline", "ml", "forest", "forestWorker.ts"),
        hgbHelper: join(root, "src", "pipeline", "ml", "hgb", "hgbHelper.ts"),
        hgbPredictHelper: join(root, "src", "pipeline", "ml", "hgb", "hgbPredictHelper.ts")
      }).filter(([name, path]) => name === "main" || existsSync(path))
    ),
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
    // The bundled engine knows it is one (src/pipeline/engine/workspaceModule.ts).
    define: {__MLBOOK_BUNDLED__: "true"},
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
  // The declarations (bin/build.js) are made by tsc, not here: they move into the new build.
  await rename(join(lib, "types"), join(out, "types")).catch(() => undefined);
  const old = join(root, `lib.${process.pid}.old`);
  await rename(lib, old).catch(() => undefined);
  await rename(out, lib).catch(async (error) => {
    // Another process swapped in its build first: keep that one.
    await rm(out, {recursive: true, force: true});
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
  });
  await rm(old, {recursive: true, force: true});
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
