import type {Plugin} from "esbuild";
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {basename, dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {sha256} from "../pipeline/engine/hash.ts";
import {workspaceModules, type ModuleRef} from "../pipeline/engine/moduleSource.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {upgradeBundle, type ModelBundle} from "../pipeline/ml/bundle.ts";
import {MANIFEST, type ExportManifest} from "../server/exportManifest.ts";
import {resolveModelRef} from "./modelRef.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

/**
 * `mlbook export REF DIR`: a folder that serves the model with nothing else of the workspace —
 * its bundle, the workspace modules it uses compiled into single files (checked against the
 * digests the bundle holds first), mlbook's engine and server as one JavaScript file, a
 * package.json whose one dependency is DuckDB, and a README. `npm install && npm start` there
 * serves it. Written into a temp folder and renamed, so DIR is whole or absent; an existing
 * non-empty DIR is refused.
 */
export async function exportCommand(ref: string, dir: string, options: {config: string}): Promise<void> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length)
    throw new ConfigError(`${dir} exists and is not empty: export into a new folder`);
  const found = await resolveModelRef(ref, options.config);
  const bundle = upgradeBundle(JSON.parse(readFileSync(found.file, "utf8")) as ModelBundle);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  rmSync(tmp, {recursive: true, force: true});
  mkdirSync(join(tmp, "modules"), {recursive: true});
  try {
    const modules: Record<string, string> = {};
    const check = workspaceModules(found.base);
    for (const [use, module] of modulesOf(bundle)) {
      if (modules[module.digest]) continue;
      await check(module, use); // the code it was trained with, or an error saying it changed
      const file = `modules/${module.digest.slice(0, 16)}.mjs`;
      await compileModule(resolve(found.base, module.path), found.base, join(tmp, file));
      modules[module.digest] = file;
    }
    await compileEngine(join(tmp, "mlbook.mjs"));
    const bundleText = JSON.stringify(bundle);
    writeFileSync(join(tmp, "model.json"), bundleText);
    // The bundle's checksum, as a store entry keeps it: loading it verifies it (loadModel).
    writeFileSync(
      join(tmp, "manifest.json"),
      `${JSON.stringify({files: {"model.json": {sha256: sha256(bundleText), bytes: Buffer.byteLength(bundleText)}}}, null, 2)}\n`
    );
    const manifest: ExportManifest = {
      mlbook: pkg.version,
      bundle: "model.json",
      ...(found.name ? {name: found.name, version: found.version} : {}),
      ...(found.run ? {run: found.run} : {}),
      modules
    };
    writeFileSync(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      join(tmp, "server.mjs"),
      `// Serves this folder's model (mlbook export): npm start [-- --host 0.0.0.0 --port 8080]\n` +
        `import {fileURLToPath} from "node:url";\n` +
        `import {serveExport} from "./mlbook.mjs";\n\n` +
        `await serveExport(fileURLToPath(new URL(".", ${META_URL})));\n`
    );
    const name = (found.name ?? basename(target)).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    writeFileSync(
      join(tmp, "package.json"),
      `${JSON.stringify(
        {
          name: `${name}-model`,
          version: found.version ? `${found.version}.0.0` : "1.0.0",
          private: true,
          type: "module",
          description: `${found.name ? `${found.name}:v${found.version}` : ref}, served by mlbook ${pkg.version}`,
          engines: {node: ">=20.6"},
          scripts: {start: "node server.mjs"},
          dependencies: {"@duckdb/node-api": pkg.dependencies["@duckdb/node-api"]}
        },
        null,
        2
      )}\n`
    );
    writeFileSync(
      join(tmp, "README.md"),
      readme(bundle, found.name ? `${found.name}:v${found.version}` : ref)
    );
    if (existsSync(target)) rmSync(target, {recursive: true});
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true});
    throw error;
  }
  process.stderr.write(`exported ${ref} to ${dir}: cd ${dir} && npm install && npm start\n`);
}

/** The workspace modules a bundle runs: its model's, and each step it replays. */
function modulesOf(bundle: ModelBundle): [string, ModuleRef][] {
  const out: [string, ModuleRef][] = [];
  if (bundle.estimator.module) out.push(["model module", bundle.estimator.module]);
  for (const stage of bundle.pipeline?.stages ?? [])
    if (stage.kind === "module") out.push([`step ${stage.step}'s module`, stage.module]);
  return out;
}

/** A workspace module as one file: its imports bundled in, but `mlbook`, which is the folder's engine. */
async function compileModule(entry: string, base: string, outfile: string): Promise<void> {
  const {build} = await import("esbuild");
  const engine: Plugin = {
    name: "exported-engine",
    setup(b) {
      b.onResolve({filter: /^mlbook(\/.*)?$/}, () => ({path: "../mlbook.mjs", external: true}));
    }
  };
  await build({...ONE_FILE, entryPoints: [entry], absWorkingDir: base, outfile, plugins: [engine]});
}

/** mlbook's engine and server as one file; DuckDB stays a package (its native binding). */
async function compileEngine(outfile: string): Promise<void> {
  const {build} = await import("esbuild");
  await build({
    ...ONE_FILE,
    entryPoints: [join(root, "src", "server", "exportEntry.ts")],
    outfile,
    // esbuild and tsx compile workspace sources, which an export has compiled already.
    external: ["@duckdb/node-api", "esbuild", "tsx", "tsx/*"]
  });
}

/**
 * `import.meta.url` in the code this writes, spelled apart: bin/bundle.js replaces that text in
 * mlbook's own sources with each file's source URL, strings included.
 */
const META_URL = ["import", "meta", "url"].join(".");

/**
 * How each file of an export is built: one ES module for Node, its imports bundled in. Bundled
 * CommonJS packages call `require`: each file gets one of its own.
 */
const ONE_FILE = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "silent",
  banner: {
    js: `import {createRequire as __createRequire} from "node:module"; const require = __createRequire(${META_URL});`
  }
} as const;

function readme(bundle: ModelBundle, label: string): string {
  const example = JSON.stringify({dataframe_records: (bundle.example ?? []).slice(0, 2)});
  return `# ${label}

A model exported by \`mlbook export\`: it serves itself with nothing else of the workspace it was
trained in.

    npm install
    npm start                       # http://127.0.0.1:5000
    npm start -- --host 0.0.0.0 --port 8080

\`POST /invocations\` scores raw rows (MLflow's scoring protocol: \`dataframe_split\`,
\`dataframe_records\`, \`instances\`, \`inputs\`, or \`text/csv\`); \`GET /ping\`, \`/health\`,
\`/version\` and \`/metadata\` (the input signature and an example) describe it.

    curl -s http://127.0.0.1:5000/invocations -H 'content-type: application/json' --data-binary @- <<'EOF'
    ${example}
    EOF

Files: \`model.json\` (the bundle: the inference pipeline and the fitted model), \`modules/\` (the
workspace code it runs, compiled), \`mlbook.mjs\` (mlbook's engine and server), \`${MANIFEST}\`,
\`manifest.json\` (the bundle's checksum: a changed \`model.json\` is refused).
`;
}
