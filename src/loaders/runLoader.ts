import {pipelineContext, type PipelineContext} from "./pipelineContext.ts";

/**
 * Runs a page-data function and writes its JSON to stdout, the way Framework expects of a loader.
 * On failure it prints the error's own message (a failed step's, say) as `error: …` and exits
 * non-zero, which `mlbook build` passes on.
 */
export async function runLoader(fn: (context: PipelineContext) => Promise<unknown>): Promise<void> {
  try {
    process.stdout.write(JSON.stringify(await fn(pipelineContext())));
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
