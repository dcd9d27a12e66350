import {spawn} from "node:child_process";
import {frameworkLog} from "./frameworkLog.ts";
import {existsSync} from "node:fs";
import {availableParallelism} from "node:os";
import {delimiter, join, relative} from "node:path";
import {loadConfig} from "../pipeline/builtins.ts";
import {MlbookError} from "../pipeline/errors.ts";
import {runPipeline} from "../pipeline/engine/run.ts";
import {trackingHooks} from "../pipeline/tracking/trackingHooks.ts";
import {remoteHooks, remoteOf} from "../pipeline/remote/remoteHooks.ts";
import {invalidate, loaderStates, recordFingerprints} from "../site/invalidate.ts";
import {listLoaders} from "../site/loaders.ts";
import {makeLoaderOutputs} from "../site/makeLoaderOutputs.ts";
import {runLoaders} from "../site/runLoaders.ts";
import {DEFAULT_CONFIG, listPipelines} from "../site/pipelines.ts";
import {terminalLogger} from "./progress.ts";

/**
 * `mlbook build`: runs every pipeline (so a failing step fails the build with its own message),
 * deletes the cached output of exactly the loaders whose inputs changed and makes those again
 * (one maker process per core), then lets Framework build the site from the fresh cache.
 */
export async function buildCommand(
  projectRoot = process.cwd(),
  options: {verbose?: boolean} = {}
): Promise<void> {
  const pipelines = listPipelines(projectRoot);
  for (const [name, config] of Object.entries(pipelines)) {
    console.log(`pipeline ${name} (${relative(projectRoot, config)})`);
    // A pipeline with nothing to run records no run: a build adds runs only when something changed.
    const loaded = await loadConfig(config);
    await runPipeline(loaded, {
      logger: terminalLogger(),
      hooks: [...remoteHooks(remoteOf(loaded)), trackingHooks({recordFresh: false})]
    });
  }
  const loaders = listLoaders(projectRoot, pipelines, join(projectRoot, DEFAULT_CONFIG));
  const states = await loaderStates(projectRoot, loaders);
  for (const s of states)
    console.log(`  loader ${s.loader.target}: ${s.stale ? `stale (${s.stale})` : "fresh"}`);
  await invalidate(states);
  // mlbook's loaders are made a process per core, each process making many (modules loaded once);
  // a loader of another kind runs in a process of its own, as Framework would run it.
  const {made, failed, others} = await makeLoaderOutputs(
    projectRoot,
    states.filter((s) => s.stale),
    {processes: availableParallelism()}
  );
  for (const m of made) console.log(`  loader ${m.state.loader.target}: made in ${m.ms} ms`);
  const failures = [
    ...failed.map((f) => ({loader: f.state.loader, message: f.message})),
    ...(await runLoaders(
      projectRoot,
      others.map((s) => s.loader),
      {log: (m) => console.log(m)}
    ))
  ];
  if (failures.length) {
    const lines = failures.map((f) => `loader ${f.loader.target} failed: ${f.message}`);
    throw new MlbookError(`build: ${lines.join("\n")}`);
  }
  await observable(["build"], projectRoot, options);
  const missing = states.filter((s) => !existsSync(s.loader.cache));
  if (missing.length) {
    throw new MlbookError(
      `build: loader ${missing.map((s) => s.loader.loader).join(", ")} failed (see its error above)`
    );
  }
  await recordFingerprints(projectRoot, states);
}

/** Runs Framework's CLI from the project's node_modules. */
export function observable(
  args: string[],
  projectRoot: string,
  options: {verbose?: boolean} = {}
): Promise<void> {
  const bin = join(projectRoot, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  return new Promise((resolve, reject) => {
    // Framework spawns `tsx` for TypeScript loaders: make the project's own the one it finds.
    const PATH = [join(projectRoot, "node_modules", ".bin"), process.env.PATH].join(delimiter);
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: projectRoot,
      stdio: ["inherit", "pipe", "inherit"],
      env: {...process.env, PATH, OBSERVABLE_TELEMETRY_DISABLE: "1"}
    });
    const log = frameworkLog(options);
    child.stdout!.setEncoding("utf8").on("data", (text: string) => process.stdout.write(log(text)));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new MlbookError(`observable ${args.join(" ")} exited with code ${code}`))
    );
  });
}
