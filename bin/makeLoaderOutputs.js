// `mlbook dev`'s maker of stale page data (src/site/makeLoaderOutputs.ts), one process for them
// all: node bin/makeLoaderOutputs.js <mlbook/loaders URL> <jobs as JSON>. Each job's output is
// made by the loaders module's loaderOutput and written where Framework caches it (a temp file,
// then renamed); one JSON line per job on file descriptor 3 says it was made or why not.
import {writeSync} from "node:fs";
import {mkdir, rename, rm, writeFile} from "node:fs/promises";
import {dirname} from "node:path";

const [url, jobs] = process.argv.slice(2);
const loaders = await import(url);
for (const job of JSON.parse(jobs)) {
  const temp = `${job.cache}.${process.pid}`;
  const t0 = performance.now();
  try {
    const fn = loaders[job.fn];
    if (typeof fn !== "function") throw new Error(`mlbook/loaders has no page-data function ${job.fn}`);
    const output = await loaders.loaderOutput(fn, {argv: job.argv, root: process.cwd()});
    await mkdir(dirname(job.cache), {recursive: true});
    await writeFile(temp, output);
    await rename(temp, job.cache);
    writeSync(3, `${JSON.stringify({made: job.target, ms: Math.round(performance.now() - t0)})}\n`);
  } catch (error) {
    await rm(temp, {force: true});
    const message = error instanceof Error ? error.message : String(error);
    writeSync(3, `${JSON.stringify({failed: job.target, message})}\n`);
  }
}
