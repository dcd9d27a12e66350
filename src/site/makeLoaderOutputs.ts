import {spawn} from "node:child_process";
import type {Readable} from "node:stream";
import {existsSync, readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import type {LoaderState} from "./invalidate.ts";

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

interface Job {
  fn: string;
  argv: string[];
  cache: string;
  target: string;
}

/** The child's program (a file, not `node -e`: worker threads inherit the flags it is run with). */
const program = fileURLToPath(new URL("../../bin/makeLoaderOutputs.js", import.meta.url));

export interface MadeOutputs {
  /** Outputs made and written, with the milliseconds each took in its process. */
  made: {state: LoaderState; ms: number}[];
  /** Outputs whose page-data function threw, with its message. */
  failed: {state: LoaderState; message: string}[];
  /** Loaders of another kind (see pageDataOf), left for their own process. */
  others: LoaderState[];
}

/**
 * Makes stale loaders' outputs in one Node process (or `processes`, the jobs dealt between them)
 * instead of the process per loader Framework starts: modules load once per process, and every
 * page's data shares one run of the pipeline. Only loaders written as mlbook's are (see
 * pageDataOf) are made, each output written where Framework caches it (a temp file, renamed);
 * `onFile` hears of each loader file once, with the outputs made of it, as soon as they are
 * written — an open page refreshes as its data is ready. Not in this process: a run's compute
 * must not stall the preview it serves, and a crash takes only the maker down.
 */
export async function makeLoaderOutputs(
  projectRoot: string,
  states: LoaderState[],
  options: {processes?: number; onFile?: (file: string, made: LoaderState[]) => Promise<void>} = {}
): Promise<MadeOutputs> {
  const onFile = options.onFile ?? (async () => {});
  const byFile = new Map<string, LoaderState[]>();
  for (const s of states) byFile.set(s.loader.loader, [...(byFile.get(s.loader.loader) ?? []), s]);
  const module = loadersModule(projectRoot);
  const jobs: Job[] = [];
  const out: MadeOutputs = {made: [], failed: [], others: []};
  const pending = new Map<string, {left: number; done: LoaderState[]}>();
  for (const [file, group] of byFile) {
    const fn = module && pageDataOf(readFileSync(join(projectRoot, "docs", file), "utf8"));
    if (!fn) {
      out.others.push(...group);
      continue;
    }
    pending.set(file, {left: group.length, done: []});
    for (const s of group)
      jobs.push({
        fn,
        argv: s.loader.pipeline ? [`--pipeline=${s.loader.pipeline}`] : [],
        cache: s.loader.cache,
        target: s.loader.target
      });
  }
  // Loader files no job makes are handed on first: Framework runs them.
  for (const file of new Set(out.others.map((s) => s.loader.loader))) await onFile(file, []);
  if (!jobs.length) return out;
  const byTarget = new Map(states.map((s) => [s.loader.target, s]));
  let chain = Promise.resolve();
  const heard = (line: string) => {
    const said = JSON.parse(line) as {made?: string; ms?: number; failed?: string; message?: string};
    const s = byTarget.get(said.made ?? said.failed ?? "");
    if (!s) return;
    const file = pending.get(s.loader.loader)!;
    if (said.made) {
      file.done.push(s);
      out.made.push({state: s, ms: said.ms ?? 0});
    } else out.failed.push({state: s, message: said.message ?? "failed"});
    if (--file.left === 0) chain = chain.then(() => onFile(s.loader.loader, file.done));
  };
  const n = Math.max(1, Math.min(options.processes ?? 1, jobs.length));
  await Promise.all(
    Array.from({length: n}, (_, k) =>
      maker(projectRoot, [module!, jobs.filter((_, i) => i % n === k)], heard)
    )
  );
  await chain;
  // Files whose jobs did not all report (a maker died): handed on with what was made.
  for (const [file, {left, done}] of pending) if (left > 0) await onFile(file, done);
  return out;
}

/** One maker process on `jobs`, each report line it writes on fd 3 handed to `heard`. */
function maker(
  projectRoot: string,
  [module, jobs]: [string, Job[]],
  heard: (line: string) => void
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [program, module, JSON.stringify(jobs)], {
      cwd: projectRoot,
      // Reports come on a channel of their own (fd 3): what a step prints goes to the terminal.
      stdio: ["ignore", "inherit", "inherit", "pipe"]
    });
    const reports = child.stdio[3] as Readable;
    let buffer = "";
    reports.setEncoding("utf8").on("data", (d: string) => {
      buffer += d;
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        heard(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

/** The URL of `mlbook/loaders` as the project's loaders resolve it, or undefined where it has none. */
function loadersModule(projectRoot: string): string | undefined {
  try {
    const file = createRequire(join(projectRoot, "package.json")).resolve("mlbook/loaders");
    return existsSync(file) ? pathToFileURL(file).href : undefined;
  } catch {
    return undefined;
  }
}
