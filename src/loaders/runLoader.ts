import {staleBundleError} from "../pipeline/ml/threads/bundledEntry.ts";
import {inputStamps} from "./inputStamps.ts";
import {pipelineContext, type PipelineContext} from "./pipelineContext.ts";

/**
 * Runs a page-data function and writes its JSON to stdout, the way Framework expects of a loader.
 * When a config, source or data file changes while it runs, it runs again before writing (up to
 * three times): the live preview may have seen the edit while this run was reading the old
 * inputs, and must not be handed their output as fresh. On failure it prints the error's own
 * message (a failed step's, say) as `error: …` and exits non-zero, which `mlbook build` passes on.
 * A loader running mlbook's bundle (`mlbook/loaders`) refuses to when the sources are newer: it
 * would run old code for steps whose keys name the new code.
 */
export async function runLoader(
  fn: (context: PipelineContext) => Promise<unknown>,
  io: {argv?: readonly string[]; root?: string; write?: (text: string) => void} = {}
): Promise<void> {
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  try {
    const stale = staleBundleError();
    if (stale) throw new Error(stale);
    write(await loaderOutput(fn, io));
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

/**
 * A page-data function's output as a loader writes it (JSON), made again when its inputs changed
 * while it ran (see runLoader); throws what the function throws. The maker `mlbook dev` and
 * `mlbook build` start (bin/makeLoaderOutputs.js) calls it for loaders written as mlbook's are.
 */
export async function loaderOutput(
  fn: (context: PipelineContext) => Promise<unknown>,
  io: {argv?: readonly string[]; root?: string} = {}
): Promise<string> {
  const root = io.root ?? process.cwd();
  for (let attempt = 1; ; ++attempt) {
    const context = await pipelineContext(io.argv, root);
    const before = inputStamps(context, root);
    const output = await fn(context);
    if (attempt === 3 || inputStamps(context, root) === before) return JSON.stringify(output);
    process.stderr.write("  inputs changed while this loader ran: running it again\n");
  }
}
