import type {Plugin} from "esbuild";
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {isAbsolute, join, relative, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {MlbookError} from "../errors.ts";
import {runsBundle} from "../ml/threads/bundledEntry.ts";
import {fileStamp} from "./fileStamp.ts";
import {hashValue, sha256} from "./hash.ts";
import type {WorkspaceModule} from "./step.ts";

/** A workspace module that cannot be loaded: missing, not compiling, or throwing as it loads. */
export class ModuleError extends MlbookError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, 1, options);
    this.name = "ModuleError";
  }
}

/** Modules loaded in this process, by path: reused while none of their files changed. */
const loaded = new Map<string, {stamps: string; module: WorkspaceModule}>();

/**
 * Loads a TypeScript (or JavaScript) module of the user's workspace — a step, a model — from any
 * host: the CLI, a data loader, a test. esbuild compiles it with the local modules it imports into
 * one ES module under `<cacheDir>`, so bare imports (zod, a package of the workspace) resolve from
 * the workspace, and `mlbook` resolves to the very engine that is running. Its digest covers the
 * source of every local file it imports, by path relative to `base`: the same code gives the same
 * digest in any clone. Stack traces point at the TypeScript source (inline source maps).
 */
export async function loadWorkspaceModule(
  path: string,
  options: {base: string; cacheDir: string}
): Promise<WorkspaceModule> {
  const shown = relative(options.base, path).split("\\").join("/") || path;
  const cached = loaded.get(path);
  if (cached && stampsOf(cached.module.files) === cached.stamps) return cached.module;
  if (!existsSync(path)) throw new ModuleError(`${shown}: no such file`);
  const compiled = reuse(path, options) ?? (await compile(path, shown, options));
  process.setSourceMapsEnabled(true);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(compiled.file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleError(
      `${shown}: cannot load: ${error instanceof Error ? error.message : String(error)}${userFrame(error, compiled.files, options.base)}`,
      {cause: error}
    );
  }
  const module: WorkspaceModule = {
    path,
    shown,
    base: options.base,
    digest: compiled.digest,
    files: compiled.files,
    exports
  };
  loaded.set(path, {stamps: compiled.stamps, module});
  return module;
}

/** A module compiled before: its files and their stamps then, its digest and its compiled copy. */
interface Compiled {
  entry: string;
  files: string[];
  stamps: string;
  digest: string;
  file: string;
}

/** Where the record of a module's last compilation is kept (one per module and config folder). */
function recordOf(path: string, options: {base: string; cacheDir: string}): string {
  return join(options.cacheDir, `${sha256(`${path}\0${options.base}`).slice(0, 16)}.json`);
}

/**
 * The last compilation of a module, when none of its files changed since (same size, mtime and
 * inode) and the engine it links to is the same: another process need not run esbuild again.
 */
function reuse(path: string, options: {base: string; cacheDir: string}): Compiled | undefined {
  try {
    const record = JSON.parse(readFileSync(recordOf(path, options), "utf8")) as Compiled;
    if (record.entry === mlbookEntry() && stampsOf(record.files) === record.stamps && existsSync(record.file))
      return record;
  } catch {
    // none yet, or unreadable: compile
  }
  return undefined;
}

/** Compiles a module with esbuild into the cache folder, and records it. */
async function compile(
  path: string,
  shown: string,
  options: {base: string; cacheDir: string}
): Promise<Compiled> {
  const {build} = await import("esbuild");
  const entry = mlbookEntry();
  let result: Awaited<ReturnType<typeof build<{write: false; metafile: true}>>>;
  try {
    result = await build({
      entryPoints: [path],
      absWorkingDir: options.base,
      outfile: join(options.cacheDir, "module.mjs"),
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      logLevel: "silent",
      plugins: [workspaceImports(entry)]
    });
  } catch (error) {
    const first = (
      error as {errors?: {text: string; location?: {file: string; line: number; column: number}}[]}
    ).errors?.[0];
    const where = first?.location
      ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: `
      : `${shown}: `;
    throw new ModuleError(`${where}${first?.text ?? (error as Error).message}`, {cause: error});
  }
  const files = Object.keys(result.metafile.inputs)
    .filter((file) => !file.split(/[\\/]/).includes("node_modules"))
    .map((file) => resolve(options.base, file));
  const sources = Object.fromEntries(
    files.map((file) => [relative(options.base, file).split("\\").join("/"), readFileSync(file, "utf8")])
  );
  const digest = hashValue({module: relative(options.base, path).split("\\").join("/"), sources});
  const code = result.outputFiles.find((f) => f.path.endsWith(".mjs"))!.text;
  const file = join(options.cacheDir, `${digest.slice(0, 16)}-${sha256(code).slice(0, 8)}.mjs`);
  mkdirSync(options.cacheDir, {recursive: true});
  if (!existsSync(file)) atomicWrite(file, code);
  const compiled: Compiled = {entry, files, stamps: stampsOf(files), digest, file};
  atomicWrite(recordOf(path, options), JSON.stringify(compiled));
  return compiled;
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The engine that loads a module is the one it gets (`mlbook`); other packages stay packages. */
const workspaceImports = (entry: string): Plugin => ({
  name: "workspace-imports",
  setup(b) {
    b.onResolve({filter: /^mlbook(\/.*)?$/}, () => ({path: entry, external: true}));
    b.onResolve({filter: /^[^./]/}, (args) =>
      isAbsolute(args.path) ? undefined : {path: args.path, external: true}
    );
  }
});

function stampsOf(files: readonly string[]): string {
  return files.map((f) => `${f}:${fileStamp(f)}`).join("\n");
}

/**
 * The public API of the running engine: its bundle (lib/index.js) when this process runs the
 * bundle — even one older than the sources, since that is the engine running — else its
 * TypeScript source (under tsx or vitest, which load TypeScript).
 */
function mlbookEntry(): string {
  const source = fileURLToPath(new URL("../../index.ts", import.meta.url));
  return pathToFileURL(runsBundle() ? join(source, "..", "..", "lib", "index.js") : source).href;
}

/**
 * ` (at steps/ratio.ts:12:9)`: where in the user's files an error was thrown, from its stack
 * (mapped to the TypeScript source), or "" when no frame is theirs.
 */
export function userFrame(error: unknown, files: readonly string[], base?: string): string {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!match) continue;
    const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
    if (files.includes(file)) {
      const shown = base ? relative(base, file).split("\\").join("/") : file;
      return ` (at ${shown}:${match[2]}:${match[3]})`;
    }
  }
  return "";
}

/** The folder a module's compiled copy goes in: beside the project's store. */
export function moduleCacheDir(storeRoot: string): string {
  return join(storeRoot, "modules");
}
