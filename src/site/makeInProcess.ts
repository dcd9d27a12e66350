import {readFileSync, statSync} from "node:fs";
import {mkdir, rename, rm, writeFile} from "node:fs/promises";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {pathToFileURL} from "node:url";
import type {LoaderState} from "./invalidate.ts";

type PageData = (context: unknown) => Promise<unknown>;
interface LoadersModule {
  loaderOutput(fn: PageData, io: {argv?: readonly string[]; root?: string}): Promise<string>;
  [name: string]: unknown;
}

/**
 * The page-data function a loader runs when it is written as mlbook's are, and nothing more:
 * `import {metrics, runLoader} from "mlbook/loaders"; await runLoader(metrics);` (comments
 * aside). Undefined for any other loader, which only Framework runs.
 */
export function pageDataOf(source: string): string | undefined {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")
    .trim();
  const m =
    /^import\s*\{\s*(?:(\w+)\s*,\s*runLoader|runLoader\s*,\s*(\w+))\s*\}\s*from\s*["']mlbook\/loaders["'];?\s*await\s+runLoader\(\s*(\w+)\s*\);?$/.exec(
      code
    );
  const name = m && (m[1] ?? m[2]);
  return name && name === m[3] ? name : undefined;
}

/**
 * Makes stale loaders' outputs in this process, where `mlbook dev` runs, instead of leaving each
 * to a Node process Framework starts per page: one process whose modules are loaded already, one
 * run of the pipeline shared by every page's data. Only loaders written as mlbook's are (see
 * pageDataOf) whose output Framework has cached before (a page read it) are made; each output is
 * written where Framework caches it, and `onFile` hears of each loader file once, with the
 * outputs made of it. A loader whose function throws is left out (Framework runs it and shows its
 * error as it would). `mlbook/loaders` is the module
 * the loaders import, loaded afresh when its bundle is rebuilt.
 */
export async function makeInProcess(
  projectRoot: string,
  states: LoaderState[],
  onFile: (file: string, made: LoaderState[]) => Promise<void>
): Promise<{made: number; failed: string[]}> {
  const loaders = await loadersModule(projectRoot);
  const failed: string[] = [];
  let made = 0;
  if (!loaders) {
    for (const file of new Set(states.map((s) => s.loader.loader))) await onFile(file, []);
    return {made, failed};
  }
  // One loader file at a time (a `[pipeline]` loader makes one output per pipeline), each
  // handed on as soon as its outputs are written, so pages refresh as their data is ready.
  const byFile = new Map<string, LoaderState[]>();
  for (const s of states) byFile.set(s.loader.loader, [...(byFile.get(s.loader.loader) ?? []), s]);
  for (const [file, group] of byFile) {
    const name = pageDataOf(readFileSync(join(projectRoot, "docs", file), "utf8"));
    const fn = name ? loaders[name] : undefined;
    const done: LoaderState[] = [];
    if (typeof fn !== "function") {
      await onFile(file, done);
      continue;
    }
    for (const s of group) {
      const argv = s.loader.pipeline ? [`--pipeline=${s.loader.pipeline}`] : [];
      const temp = `${s.loader.cache}.${process.pid}`;
      try {
        const output = await loaders.loaderOutput(fn as PageData, {argv, root: projectRoot});
        await mkdir(dirname(s.loader.cache), {recursive: true});
        await writeFile(temp, output);
        await rename(temp, s.loader.cache);
        done.push(s);
      } catch (error) {
        await rm(temp, {force: true});
        failed.push(`${s.loader.target}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    made += done.length;
    await onFile(file, done);
  }
  return {made, failed};
}

/** `mlbook/loaders` as the project's loaders resolve it, or undefined where it cannot load. */
async function loadersModule(projectRoot: string): Promise<LoadersModule | undefined> {
  try {
    const file = createRequire(join(projectRoot, "package.json")).resolve("mlbook/loaders");
    // The bundle's entry is replaced when it is rebuilt: its time in the URL loads the new one.
    const url = `${pathToFileURL(file).href}?t=${statSync(file).mtimeMs}`;
    const module = (await import(url)) as LoadersModule;
    return typeof module.loaderOutput === "function" ? module : undefined;
  } catch {
    return undefined;
  }
}
