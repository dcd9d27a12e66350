import type {MonitorCommandOptions} from "./monitor.ts";
import {Command, CommanderError} from "commander";
import {MlbookError} from "../pipeline/errors.ts";
import {mlbookVersion as version} from "./version.ts";

/**
 * The CLI only parses and dispatches: each command's work lives in its own module, imported
 * lazily so `mlbook status` does not pay for what `mlbook run` loads.
 */
const program = new Command("mlbook")
  .description("Reproducible, content-addressed ML pipelines with a reactive report site.")
  .version(version, "-V, --version", "print mlbook's version")
  .exitOverride()
  .configureOutput({outputError: (text, write) => write(text)})
  .showHelpAfterError("(run mlbook --help for usage)");

program
  .command("run")
  .description("run the pipeline: fresh steps are reused from the store, stale ones run")
  .argument(
    "[overrides...]",
    "config overrides (Hydra grammar): key=value, +key=value, ++key=value, ~key; sweeps a=1,2 choice() range() glob()"
  )
  .option("-c, --config <file>", "pipeline config", "mlbook.yaml")
  .option("-s, --steps <names>", "run only these steps (comma separated) and whatever they need")
  .option(
    "--from <refs>",
    "pin inputs to artifact versions, e.g. clean_data:v3 or clean_data:latest (comma separated)"
  )
  .option("--json", "print one JSON object instead of the human output")
  .option(
    "-m, --multirun",
    "run the sweep: every combination of the swept overrides (and the config's sweep)"
  )
  .option("--jobs <n>", "sweep jobs run at once, each in a worker process (default: number of cores)")
  .option("--max-jobs <n>", "refuse a sweep with more jobs than this", "100")
  .option(
    "--queue <url>",
    "run the sweep's jobs on `mlbook worker`s on this Redis (redis://host:port) instead of here; needs a remote store"
  )
  .action(
    async (
      overrides: string[],
      options: {
        config: string;
        steps?: string;
        from?: string;
        json?: boolean;
        multirun?: boolean;
        jobs?: string;
        maxJobs?: string;
        queue?: string;
      }
    ) => {
      // A sweep's workers start now, while this process loads the engine and composes the jobs.
      if (options.multirun && !options.steps && !options.queue) {
        const {sweepWorkerEntry} = await import("./sweepWorkerEntry.ts");
        (await import("../pipeline/sweep/pool.ts")).prestartWorkers(options.jobs, sweepWorkerEntry);
      }
      const {runCommand} = await import("./run.ts");
      const pins = options.from?.split(",").map((r) => `'${r.trim().replaceAll("'", "")}'`);
      await runCommand(pins?.length ? [...overrides, `++from=[${pins.join(",")}]`] : overrides, options);
    }
  );

program
  .command("worker")
  .description(
    "run sweep jobs from a Redis queue (mlbook run -m … --queue) in this folder, sharing results through the remote store"
  )
  .option("--queue <url>", "the queue's Redis, redis://host:port (default: MLBOOK_QUEUE)")
  .option("--concurrency <n>", "jobs run at once (default 1: each job's fits use every core)")
  .option("--lock <seconds>", "a job whose worker stops answering this long goes to another worker", "30")
  .action(async (options: {queue?: string; concurrency?: string; lock?: string}) => {
    const {workerCommand} = await import("./worker.ts");
    await workerCommand(options);
  });

program
  .command("push")
  .description(
    "copy the config's step outputs to the remote store (MLBOOK_REMOTE=s3://bucket/prefix), unless it has them"
  )
  .argument("[overrides...]", "config overrides, key.path=value")
  .option("-c, --config <file>", "pipeline config (default: mlbook.yaml)")
  .option("-p, --pipeline <name>", "a pipeline of this workspace by name, instead of -c")
  .option("--run <id>", "that run's outputs and its record instead (for mlbook pull --run)")
  .action(async (overrides: string[], options: {config?: string; pipeline?: string; run?: string}) => {
    const {pushCommand} = await import("./push.ts");
    await pushCommand(overrides, options);
  });

program
  .command("pull")
  .description(
    "copy the config's step outputs the local store lacks from the remote store (MLBOOK_REMOTE), checked"
  )
  .argument("[overrides...]", "config overrides, key.path=value")
  .option("-c, --config <file>", "pipeline config (default: mlbook.yaml; with --run, the run's pipeline)")
  .option("-p, --pipeline <name>", "a pipeline of this workspace by name, instead of -c")
  .option("--run <id>", "a run someone pushed (mlbook push --run): its outputs, and its record into tracking")
  .action(async (overrides: string[], options: {config?: string; pipeline?: string; run?: string}) => {
    const {pullCommand} = await import("./push.ts");
    await pullCommand(overrides, options);
  });

program
  .command("status")
  .description("list each step as fresh or stale, and why")
  .argument("[overrides...]", "config overrides, key.path=value")
  .option("-c, --config <file>", "pipeline config", "mlbook.yaml")
  .option("--json", "print JSON")
  .action(async (overrides: string[], options: {config: string; json?: boolean}) => {
    const {statusCommand} = await import("./status.ts");
    await statusCommand(overrides, options);
  });

program
  .command("config")
  .description(
    "print the config as composed from its file, its config groups and the overrides, each key with the file and line (or override) it came from"
  )
  .argument("[overrides...]", "config overrides, key.path=value or group=file")
  .option("-c, --config <file>", "pipeline config", "mlbook.yaml")
  .option("--resolved", "resolve ${…} references")
  .option("--json", "print JSON")
  .action(async (overrides: string[], options: {config: string; resolved?: boolean; json?: boolean}) => {
    const {configCommand} = await import("./config.ts");
    await configCommand(overrides, options);
  });

program
  .command("build")
  .description("run what is stale and build the static report into dist/")
  .option("--verbose", "print all of Framework's output (its CDN fetch attempts too)")
  .action(async (options: {verbose?: boolean}) => {
    const {buildCommand} = await import("./build.ts");
    await buildCommand(process.cwd(), options);
  });

program
  .command("dev")
  .description("live preview of the report: pages refresh when a config, a step's code or the data changes")
  .option("-p, --port <port>", "port for the preview server")
  .option("--no-open", "do not open a browser on the preview")
  .option("--verbose", "print all of Framework's output (its socket messages too)")
  .action(async (options: {port?: string; open: boolean; verbose?: boolean}) => {
    const {devCommand} = await import("./dev.ts");
    await devCommand(options);
  });

program
  .command("serve")
  .description("serve the built report (dist/) on localhost")
  .option("-p, --port <port>", "port", "3000")
  .option("-d, --dir <dir>", "folder to serve", "dist")
  .action(async (options: {port: string; dir: string}) => {
    const {serveCommand} = await import("./serve.ts");
    await serveCommand(options);
  });

const configOption = ["-c, --config <file>", "pipeline config (locates the project)", "mlbook.yaml"] as const;

program
  .command("runs")
  .description("list recorded runs: newest first, or best first by a metric")
  .option(...configOption)
  .option("-p, --pipeline <name>", "only runs of this pipeline")
  .option("--sweep <id>", "only the jobs of this sweep")
  .option("--sort <metric>", "sort by a metric, best first (lowest first for losses and errors)")
  .option("-n, --limit <n>", "show at most n runs")
  .option("--json", "print JSON")
  .action(
    async (options: {
      config: string;
      pipeline?: string;
      sweep?: string;
      sort?: string;
      limit?: string;
      json?: boolean;
    }) => {
      const {runsCommand} = await import("./runs.ts");
      await runsCommand(options);
    }
  );

program
  .command("sweeps")
  .description("list sweeps with their job count and best job")
  .option(...configOption)
  .option("--metric <name>", "pick the best job by this metric (default: accuracy, or r2)")
  .option("--json", "print JSON")
  .action(async (options: {config: string; metric?: string; json?: boolean}) => {
    const {sweepsCommand} = await import("./sweeps.ts");
    await sweepsCommand(options);
  });

program
  .command("show")
  .description("show a run: steps, metrics, artifacts, params")
  .argument("<run>", "run id (or a unique prefix, or latest)")
  .option(...configOption)
  .option("--json", "print JSON")
  .action(async (run: string, options: {config: string; json?: boolean}) => {
    const {showCommand} = await import("./show.ts");
    await showCommand(run, options);
  });

program
  .command("diff")
  .description("compare two runs: changed params, and metrics with deltas (B − A)")
  .argument("<a>", "run id A")
  .argument("<b>", "run id B")
  .option(...configOption)
  .option("--all", "list unchanged params too")
  .option("--json", "print JSON")
  .action(async (a: string, b: string, options: {config: string; all?: boolean; json?: boolean}) => {
    const {diffCommand} = await import("./diff.ts");
    await diffCommand(a, b, options);
  });

program
  .command("artifacts")
  .description("list artifacts, the versions of one, or `artifacts alias NAME VERSION ALIAS`")
  .argument("[args...]", "NAME, or alias NAME VERSION ALIAS")
  .option(...configOption)
  .option("--json", "print JSON")
  .action(async (args: string[], options: {config: string; json?: boolean}) => {
    const {artifactsCommand} = await import("./artifacts.ts");
    await artifactsCommand(args, options);
  });

program
  .command("lineage")
  .description("show what an artifact was computed from (--down: what was computed from it)")
  .argument("<artifact>", "NAME, NAME:vN, NAME:ALIAS or NAME@ALIAS")
  .option(...configOption)
  .option("--down", "show downstream artifacts instead")
  .option("--json", "print JSON")
  .action(async (ref: string, options: {config: string; down?: boolean; json?: boolean}) => {
    const {lineageCommand} = await import("./lineage.ts");
    await lineageCommand(ref, options);
  });

program
  .command("models")
  .description(
    "list registered models, `models alias NAME VERSION ALIAS` to move an alias, `models diff A B` to compare two"
  )
  .argument("[args...]", "NAME, alias NAME VERSION ALIAS, or diff NAME:vN NAME@ALIAS")
  .option(...configOption)
  .option("--json", "print JSON")
  .action(async (args: string[], options: {config: string; json?: boolean}) => {
    const {modelsCommand} = await import("./models.ts");
    await modelsCommand(args, options);
  });

program
  .command("predict")
  .description(
    "score raw rows (CSV, TSV, Parquet or JSON) with a model: its pipeline replayed, its signature checked"
  )
  .argument("<input>", "CSV, TSV, Parquet or JSON file of raw rows")
  .requiredOption(
    "-m, --model <ref>",
    "NAME@ALIAS, NAME:vN (registered), an artifact (model, model:v3) or a bundle's path"
  )
  .option("-o, --output <file>", "write predictions here (.csv or .parquet); default: CSV to stdout")
  .option(
    "-k, --keep <columns>",
    "input columns to copy beside the predictions (comma separated), e.g. an id"
  )
  .option(
    "--memory <size>",
    "DuckDB's memory for the replayed rows before it spills to disk, e.g. 2GB (default 512MB)"
  )
  .option(...configOption)
  .action(
    async (
      input: string,
      options: {config: string; model: string; output?: string; keep?: string; memory?: string}
    ) => {
      const {predictCommand} = await import("./predict.ts");
      await predictCommand(input, options);
    }
  );

program
  .command("monitor")
  .description(
    "compare a batch of new rows with a model's training rows (drift per column, predictions, metrics with --labels); exit 3 past the config's monitor: thresholds"
  )
  .argument("<model>", "NAME@ALIAS, NAME:vN (registered), an artifact (model, model:v3) or a bundle's path")
  .argument("[batch]", "CSV, TSV, Parquet or JSON file of raw rows")
  .option("-l, --labels <column>", "the batch's column with the true target: the model's metrics on it")
  .option("--at <time>", "when the batch's rows were scored (ISO time; default now)")
  .option("--history", "list the batches monitored for the model")
  .option("--json", "print JSON")
  .option("--memory <size>", "DuckDB's memory before it spills to disk, e.g. 2GB (default 512MB)")
  .option(...configOption)
  .action(async (model: string, batch: string | undefined, options: MonitorCommandOptions) => {
    const {monitorCommand} = await import("./monitor.ts");
    await monitorCommand(model, batch, options);
  });

program
  .command("serve-model")
  .description("serve a model's REST scoring API (MLflow's protocol: POST /invocations)")
  .argument("<model>", "NAME@ALIAS, NAME:vN (registered), an artifact (model, model:v3) or a bundle's path")
  .option("--host <host>", "address to listen on (0.0.0.0: every interface)", "127.0.0.1")
  .option("-p, --port <port>", "port (0: any free one)", "5000")
  .option("--max-body <size>", "largest request body (larger: 413)", "16mb")
  .option("--watch-alias", "load the new version when NAME@ALIAS moves")
  .option("--watch-interval <seconds>", "how often to look at the alias", "2")
  .option(...configOption)
  .action(async (model: string, options: import("./serveModel.ts").ServeModelOptions) => {
    const {serveModelCommand} = await import("./serveModel.ts");
    await serveModelCommand(model, options);
  });

program
  .command("export")
  .description("write a folder that serves a model on its own (npm install && npm start)")
  .argument("<model>", "NAME@ALIAS, NAME:vN (registered), an artifact (model, model:v3) or a bundle's path")
  .argument("<dir>", "the folder to write (new or empty)")
  .option(...configOption)
  .action(async (model: string, dir: string, options: {config: string}) => {
    const {exportCommand} = await import("./export.ts");
    await exportCommand(model, dir, options);
  });

program
  .command("gc")
  .description("delete store entries that no kept run, artifact version, alias or model references")
  .option(...configOption)
  .option("--dry-run", "only say what would be deleted")
  .option("--keep-runs <n>", "keep only the newest n runs in the database")
  .option("--json", "print JSON")
  .action(async (options: {config: string; dryRun?: boolean; keepRuns?: string; json?: boolean}) => {
    const {gcCommand} = await import("./gc.ts");
    await gcCommand(options);
  });

program
  .command("verify")
  .description("hash every store entry again and name the corrupt ones (--fix discards them to be rebuilt)")
  .option(...configOption)
  .option("--fix", "discard corrupt entries, so the next run rebuilds them")
  .option("--json", "print JSON")
  .action(async (options: {config: string; fix?: boolean; json?: boolean}) => {
    const {verifyCommand} = await import("./verify.ts");
    await verifyCommand(options);
  });

program
  .command("tracking")
  .description(
    "rebuild: make the tracking database again from .mlbook/history and the store (when lost or corrupt)"
  )
  .argument("<action>", "rebuild")
  .option(...configOption)
  .option("--json", "print JSON")
  .action(async (action: string, options: {config: string; json?: boolean}) => {
    const {trackingCommand} = await import("./tracking.ts");
    await trackingCommand(action, options);
  });

program
  .command("init")
  .description(
    "create a new workspace: package.json, mlbook.yaml, an example step and its test, report pages"
  )
  .argument("<dir>", "the folder to create it in (made if missing; must not hold its files already)")
  .action(async (dir: string) => {
    const {initCommand} = await import("./scaffold/init.ts");
    await initCommand(dir);
  });

program
  .command("new")
  .description(
    "scaffold a step, model or pipeline of your own, with a passing test, wired into the config; or a report page with its data loader"
  )
  .argument("<kind>", "step, model, pipeline or page")
  .argument("<name>", "its name (letters, digits, _; a page's may hold -)")
  .option(...configOption)
  .option("--after <step>", "new step: the step it follows (default: the last step with a data table)")
  .option("--pipeline <name>", "new page: the pipeline it shows (its sidebar section); default: the config's")
  .action(
    async (kind: string, name: string, options: {config: string; after?: string; pipeline?: string}) => {
      const {newCommand} = await import("./scaffold/new.ts");
      await newCommand(kind, name, options);
    }
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof MlbookError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.MLBOOK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
