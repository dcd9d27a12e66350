import {spawn} from "node:child_process";
import {mkdir, open, rename, rm} from "node:fs/promises";
import {availableParallelism} from "node:os";
import {delimiter, dirname, join} from "node:path";
import type {LoaderFile} from "./loaders.ts";

export interface LoaderFailure {
  loader: LoaderFile;
  /** The loader's own message (its `error: …` line), the error it threw, or its last line of stderr. */
  message: string;
}

/**
 * Runs loaders the way Framework does (`node <loader>.js` or `tsx <loader>.ts`, with
 * `--pipeline=<name>`; output into its cache, written to a temp file and renamed), but several at
 * once: Framework's build runs them one by one. Resolves with the failures; never throws for one.
 */
export async function runLoaders(
  projectRoot: string,
  loaders: LoaderFile[],
  options: {concurrency?: number; log?: (message: string) => void} = {}
): Promise<LoaderFailure[]> {
  const queue = [...loaders];
  const failures: LoaderFailure[] = [];
  const worker = async () => {
    for (let loader = queue.shift(); loader; loader = queue.shift()) {
      const t0 = performance.now();
      const message = await runOne(projectRoot, loader);
      if (message === null)
        options.log?.(`  loader ${loader.target}: made in ${Math.round(performance.now() - t0)} ms`);
      else failures.push({loader, message});
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), loaders.length));
  await Promise.all(Array.from({length: n}, worker));
  return failures;
}

async function runOne(projectRoot: string, loader: LoaderFile): Promise<string | null> {
  // mlbook's loaders are JavaScript over its bundle (`mlbook/loaders`): plain Node starts them in a
  // fraction of tsx's time. A TypeScript loader of the user's own goes through tsx, as in Framework.
  const script = join("docs", loader.loader);
  const [command, args] = loader.loader.endsWith(".ts")
    ? [join(projectRoot, "node_modules", ".bin", "tsx"), [script]]
    : [process.execPath, [script]];
  if (loader.pipeline) args.push(`--pipeline=${loader.pipeline}`);
  const temp = `${loader.cache}.${process.pid}`;
  await mkdir(dirname(loader.cache), {recursive: true});
  const out = await open(temp, "w");
  let stderr = "";
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: projectRoot,
        stdio: ["ignore", out.fd, "pipe"],
        env: {
          ...process.env,
          PATH: [join(projectRoot, "node_modules", ".bin"), process.env.PATH].join(delimiter)
        }
      });
      child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", resolve);
    });
    await out.close();
    if (code === 0) {
      await rename(temp, loader.cache);
      return null;
    }
  } catch (error) {
    await out.close().catch(() => {});
    stderr += error instanceof Error ? error.message : String(error);
  }
  await rm(temp, {force: true});
  const lines = stderr.trim().split("\n");
  // mlbook's `error: …` line; else what an uncaught error says (`Error: …`, not Node's closing
  // `Node.js v20…` line); else the last line.
  return (
    lines.find((l) => l.startsWith("error: "))?.slice("error: ".length) ??
    lines.find((l) => /^\w*Error\b.*: /.test(l)) ??
    lines.filter((l) => l.trim() && !/^Node\.js v\d/.test(l)).at(-1) ??
    "loader failed"
  );
}
