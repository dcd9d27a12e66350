import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {init, parse} from "es-module-lexer";

await init;

/**
 * Finds what would stop a built site from working offline or elsewhere: module specifiers the
 * browser cannot resolve (a bare import Framework failed to bundle is left in place silently),
 * CDN or Google Fonts URLs, and absolute paths of the machine that built it.
 */
export function offlineProblems(
  dist: string,
  localPaths: string[] = [],
  /** A host a file (by its path in dist/) may name, where that is known to be dead code. */
  allowed: {file: RegExp; host: string}[] = []
): string[] {
  const problems: string[] = [];
  for (const file of walk(dist)) {
    if (!/\.(html|js|css)$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    const name = relative(dist, file);
    for (const spec of new Set(moduleSpecifiers(file, text))) {
      if (!/^(\.{0,2}\/|https?:|data:|blob:)/.test(spec)) problems.push(`${name}: bare import "${spec}"`);
      else if (/^https?:/.test(spec)) problems.push(`${name}: imports from the network "${spec}"`);
    }
    for (const host of [
      "cdn.jsdelivr.net",
      "fonts.googleapis.com",
      "fonts.gstatic.com",
      "unpkg.com",
      "esm.sh"
    ]) {
      if (text.includes(host) && !allowed.some((a) => a.host === host && a.file.test(name)))
        problems.push(`${name}: references ${host}`);
    }
    for (const path of localPaths)
      if (text.includes(path)) problems.push(`${name}: holds the local path ${path}`);
  }
  return problems;
}

/** Import specifiers of a module, or of each inline module script of a page, read by a real lexer. */
function moduleSpecifiers(file: string, text: string): string[] {
  const sources = file.endsWith(".js")
    ? [text]
    : file.endsWith(".html")
      ? [...text.matchAll(/<script[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1])
      : [];
  const out: string[] = [];
  for (const source of sources) {
    const [imports] = parse(source);
    for (const i of imports) if (i.n !== undefined) out.push(i.n);
  }
  return out;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
