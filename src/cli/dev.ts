import {spawn} from "node:child_process";
import {existsSync, statSync, watch, type FSWatcher} from "node:fs";
import type {AddressInfo} from "node:net";
import {basename, delimiter, dirname, join, relative} from "node:path";
import open from "open";
import {clearCodeDigests} from "../pipeline/engine/codeDigest.ts";
import {bundledEntry} from "../pipeline/ml/threads/bundledEntry.ts";
import {loadConfig} from "../pipeline/builtins.ts";
import {buildGraph} from "../pipeline/engine/graph.ts";
import {storeRoot} from "../pipeline/engine/loadedConfig.ts";
import {trackingPath} from "../pipeline/tracking/trackingPath.ts";
import {invalidate, loaderStates, recordFingerprints, type LoaderState} from "../site/invalidate.ts";
import {makeLoaderOutputs} from "../site/makeLoaderOutputs.ts";
import {listLoaders} from "../site/loaders.ts";
import {DEFAULT_CONFIG, listPipelines} from "../site/pipelines.ts";
import {touchStale} from "../site/touchStale.ts";
import {freePort, startDevFront} from "./devFront.ts";
import {frameworkLog} from "./frameworkLog.ts";

/**
 * `mlbook dev`: Framework's live preview, kept honest. Preview only re-runs a loader when the
 * loader file itself changes; this watches what the pages really depend on (the configs, the
 * engine's sources, the data files, the tracking databases), recomputes every loader's
 * fingerprint on a change and touches the loaders that went stale, so the open page refreshes
 * with new numbers — also when a run or an alias is recorded from another terminal.
 */
export async function devCommand(
  options: {port?: string; open?: boolean; verbose?: boolean},
  projectRoot = process.cwd()
): Promise<void> {
  // Runs made for the pages (by makeLoaderOutputs or the loaders Framework starts) serve the live
  // preview: recorded as such, registering no model.
  process.env.MLBOOK_RUN_SOURCE = "preview";
  // The stale outputs pages have read are made in one process with one run of the pipeline,
  // then handed to Framework; the rest are left to it (see makeLoaderOutputs).
  const refresh = async (states: LoaderState[], read: LoaderState[]) => {
    const t0 = performance.now();
    const done = new Set<LoaderState>();
    const touched = new Set<string>();
    const {made, failed} = await makeLoaderOutputs(projectRoot, read, {
      onFile: async (file, outputs) => {
        outputs.forEach((s) => done.add(s));
        touched.add(file);
        await touchStale(
          projectRoot,
          states.filter((s) => s.loader.loader === file),
          done
        );
      }
    });
    if (made.length)
      console.log(
        `mlbook: made ${made.map((m) => m.state.loader.target).join(", ")} in ${Math.round(performance.now() - t0)} ms`
      );
    for (const f of failed)
      console.log(`mlbook: ${f.state.loader.target}: ${f.message} (left to Framework's loader)`);
    await touchStale(
      projectRoot,
      states.filter((s) => !touched.has(s.loader.loader))
    );
  };
  const check = async (initial: boolean) => {
    clearCodeDigests();
    const pipelines = listPipelines(projectRoot);
    const states = await loaderStates(
      projectRoot,
      listLoaders(projectRoot, pipelines, join(projectRoot, DEFAULT_CONFIG))
    );
    const stale = states.filter((s) => s.stale);
    // After the start, a loader no page has read yet is no news: it is made when a page reads it.
    const unmade = initial ? [] : stale.filter((s) => !existsSync(s.loader.cache));
    for (const s of stale)
      if (!unmade.includes(s)) console.log(`mlbook: loader ${s.loader.target} stale (${s.stale})`);
    if (unmade.length)
      console.log(`mlbook: ${unmade.length} loader(s) not made yet, made when a page reads them`);
    if (initial) await invalidate(states);
    else
      await refresh(
        states,
        stale.filter((s) => !unmade.includes(s))
      );
    await recordFingerprints(projectRoot, stale);
    if (!initial && stale.length === unmade.length)
      console.log("mlbook: change seen, every loader made so far still fresh");
    return pipelines;
  };
  let pipelines = await check(true);
  const bin = join(projectRoot, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  const PATH = [join(projectRoot, "node_modules", ".bin"), process.env.PATH].join(delimiter);
  // The preview listens on a port of its own behind a front that refuses malformed requests
  // (Framework's preview ends on `GET /%`); the front takes the port the user asked for.
  const inner = await freePort();
  const front = await startDevFront(inner, options.port ? Number(options.port) : undefined);
  const {port} = front.address() as AddressInfo;
  const child = spawn(process.execPath, [bin, "preview", "--port", String(inner), "--no-open"], {
    cwd: projectRoot,
    stdio: ["inherit", "pipe", "inherit"],
    env: {...process.env, PATH, OBSERVABLE_TELEMETRY_DISABLE: "1"}
  });
  // Its banner and request log name the front's port, the one to open; its chatter is left out.
  const log = frameworkLog(options);
  child
    .stdout!.setEncoding("utf8")
    .on("data", (text: string) =>
      process.stdout.write(log(text).replaceAll(`127.0.0.1:${inner}`, `127.0.0.1:${port}`))
    );
  if (options.open !== false) void open(`http://127.0.0.1:${port}/`).catch(() => undefined);

  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const changed = (what: string) => {
    clearTimeout(timer);
    // Editors write in bursts (temp file, rename, chmod): one check per burst.
    timer = setTimeout(() => {
      console.log(`mlbook: ${what} changed`);
      running = running.then(async () => {
        try {
          await freshBundle();
          pipelines = await check(false);
          await rewatch();
        } catch (error) {
          console.error(`mlbook: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    }, 100);
  };
  const rewatch = async () => {
    const {paths, databases} = await watched(projectRoot, pipelines);
    watchers.forEach((w) => w.close());
    watchers = paths.map((path) => {
      const recursive = statSync(path).isDirectory();
      return watch(path, {recursive}, (_event, name) => {
        const file = relative(projectRoot, name && recursive ? join(path, String(name)) : path);
        // The stores under pipelines/.mlbook change whenever a loader runs a step.
        if (!file.split(/[\\/]/).includes(".mlbook")) changed(file);
      });
    });
    // A tracking database changes when a run, sweep or alias is recorded (reading it writes
    // nothing): its folder is watched for the database file and its write-ahead log only.
    for (const [dir, names] of databases)
      watchers.push(
        watch(dir, (_event, name) => {
          const file = String(name ?? "");
          if (names.has(file.replace(/\.wal$/, ""))) changed(relative(projectRoot, join(dir, file)));
        })
      );
  };
  await rewatch();
  await new Promise<void>((resolve) => {
    child.on("close", () => resolve());
    process.on("SIGINT", () => child.kill("SIGINT"));
  });
  front.close();
  watchers.forEach((w) => w.close());
}

/**
 * Rebuilds mlbook's bundle (lib/) when its sources changed since it was built: the page loaders
 * run it (`mlbook/loaders`), and refuse a bundle older than the sources. Done before the loaders
 * are touched, so the ones a source edit made stale run the new code.
 */
async function freshBundle(): Promise<void> {
  const recipe = new URL("../../bin/bundle.js", import.meta.url);
  // A package installed without its sources has only its bundle, which nothing can change.
  if (!existsSync(new URL("../../src", import.meta.url)) || !existsSync(recipe)) return;
  if (bundledEntry("loaders", {}) !== undefined) return;
  await ((await import(recipe.href)) as {bundle: () => Promise<void>}).bundle();
  console.log("mlbook: rebuilt its bundle (lib/) from the changed sources");
}

/**
 * What to watch: the configs, the engine's sources, every pipeline's data files and workspace
 * modules (`paths`), and each pipeline's tracking database, as folder → file names (`databases`,
 * folders that exist).
 */
async function watched(
  projectRoot: string,
  pipelines: Record<string, string>
): Promise<{paths: string[]; databases: Map<string, Set<string>>}> {
  const paths = new Set<string>([
    join(projectRoot, DEFAULT_CONFIG),
    join(projectRoot, "pipelines"),
    join(projectRoot, "src")
  ]);
  const databases = new Map<string, Set<string>>();
  for (const config of Object.values(pipelines)) {
    try {
      const loaded = await loadConfig(config);
      for (const node of buildGraph(loaded).nodes) node.sources.forEach((s) => paths.add(s));
      for (const module of loaded.modules.values()) module.files.forEach((f) => paths.add(f));
      // Its config group files (conf/model/…): editing one changes the config.
      for (const file of loaded.files ?? []) paths.add(file);
      const db = trackingPath(loaded, storeRoot(loaded));
      if (existsSync(dirname(db)))
        (databases.get(dirname(db)) ?? databases.set(dirname(db), new Set()).get(dirname(db))!).add(
          basename(db)
        );
    } catch {
      // An invalid config is reported by the loaders that read it.
    }
  }
  return {paths: [...paths].filter((p) => existsSync(p)), databases};
}
