import {readFileSync} from "node:fs";
import {dirname, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {hashValue} from "./hash.ts";

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cache = new Map<string, string>();

/**
 * Digest of a module's source and of every local module it imports, transitively. Editing a step
 * invalidates it, and so does editing the estimator or metric code it calls — the step's behaviour
 * is all of that code, not only its own file. Paths are taken relative to src/, so two clones in
 * different folders give the same digest.
 */
export function codeDigest(moduleUrl: string, options: {except?: string} = {}): string {
  const entry = fileURLToPath(moduleUrl);
  const id = `${entry}\0${options.except ?? ""}`;
  let digest = cache.get(id);
  if (digest === undefined) {
    const files: Record<string, string> = {};
    // A folder left out (with what only it imports): the caller covers that code another way.
    const except = options.except && resolve(options.except);
    collect(entry, files, [], except ? (file) => file.startsWith(`${except}/`) : undefined);
    digest = hashValue(except ? {files, cut: true} : files);
    cache.set(id, digest);
  }
  return digest;
}

/** The files `codeDigest` reads for a module: its own source and its local imports, transitively. */
export function codeFiles(moduleUrl: string): string[] {
  const files: Record<string, string> = {};
  const paths: string[] = [];
  collect(fileURLToPath(moduleUrl), files, paths);
  return paths;
}

/** Forget cached digests (the live preview calls this when files change). */
export function clearCodeDigests(): void {
  cache.clear();
  sources.clear();
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Each file's source and local imports, read once per process however many steps share it. */
const sources = new Map<string, {source: string; imports: string[]}>();

function collect(
  file: string,
  files: Record<string, string>,
  paths: string[] = [],
  skip?: (file: string) => boolean
): void {
  const name = relative(srcRoot, file).split("\\").join("/");
  if (name in files || skip?.(file)) return;
  paths.push(file);
  let read = sources.get(file);
  if (!read) {
    const source = readFileSync(file, "utf8");
    const imports = [...source.matchAll(importPattern)].map((m) => resolve(dirname(file), m[1] ?? m[2]));
    read = {source, imports};
    sources.set(file, read);
  }
  files[name] = read.source;
  for (const imported of read.imports) collect(imported, files, paths, skip);
}
