import {Command, CommanderError} from "commander";
import {MlbookError} from "../pipeline/errors.ts";

/**
 * The CLI only parses and dispatches: each command's work lives in its own module, imported
 * lazily so `mlbook status` does not pay for what `mlbook run` loads.
 */
const program = new Command("mlbook")
  .description("Reproducible, content-addressed ML pipelines with a reactive report site.")
  .exitOverride()
  .configureOutput({outputError: (text, write) => write(text)})
  .showHelpAfterError("(run mlbook --help for usage)");

program
  .command("run")
  .description("run the pipeline: fresh steps are reused from the store, stale ones run")
  .argument("[overrides...]", "config overrides, key.path=value (YAML values)")
  .option("-c, --config <file>", "pipeline config", "mlbook.yaml")
  .option("-s, --steps <names>", "run only these steps (comma separated) and whatever they need")
  .option("--json", "print one JSON object instead of the human output")
  .action(async (overrides: string[], options: {config: string; steps?: string; json?: boolean}) => {
    const {runCommand} = await import("./run.ts");
    await runCommand(overrides, options);
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
  .command("build")
  .description("run what is stale and build the static report into dist/")
  .action(async () => {
    const {buildCommand} = await import("./build.ts");
    await buildCommand();
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
