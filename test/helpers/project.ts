import {spawn} from "node:child_process";
import {cpSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {createRng} from "../../src/pipeline/ml/rng.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A small 3-class table with numbers, a categorical and a few missing values, as CSV text. */
export function tinyCsv(rows = 150, seed = 1): string {
  const rng = createRng(seed);
  const lines = ["x1,x2,colour,label"];
  for (let i = 0; i < rows; ++i) {
    const k = i % 3;
    const x1 = (k * 2 + rng.normal() * 0.6).toFixed(3);
    const x2 = (k - 1 + rng.normal() * 0.8).toFixed(3);
    const colour = ["red", "green", "blue"][(k + (rng.next() < 0.2 ? 1 : 0)) % 3];
    lines.push(`${i % 17 === 5 ? "" : x1},${x2},${colour},${["a", "b", "c"][k]}`);
  }
  return lines.join("\n") + "\n";
}

export const tinyConfig = `name: tiny
data:
  source: data.csv
  target: label
split:
  test_size: 0.25
  seed: 7
model:
  type: logistic_regression
  params:
    C: 1.0
`;

/** A temp folder holding a config and its data: a user's project without the engine. */
export function tinyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-tiny-"));
  writeFileSync(join(dir, "data.csv"), tinyCsv());
  writeFileSync(join(dir, "mlbook.yaml"), tinyConfig);
  return dir;
}

/**
 * A copy of this repository (engine sources, docs, default config; with `pipelines`, the example
 * pipelines too) in a temp folder, sharing node_modules by symlink: lets a test edit step code or
 * config without touching the repo.
 */
export function copyOfRepo({pipelines = false}: {pipelines?: boolean} = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-repo-"));
  // Without the example pipelines, their own pages (docs/cars/, docs/data/cars/) are left out too:
  // they read a pipeline the copy lacks.
  const examples = readdirSync(join(repoRoot, "pipelines"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.replace(/\.yaml$/, ""));
  const ownPage = new RegExp(`^/docs/(data/)?(${examples.join("|")})(/|$)`);
  for (const name of [
    "bin",
    "src",
    "docs",
    "steps",
    "models",
    "conf",
    "mlbook.yaml",
    "package.json",
    "observablehq.config.ts"
  ]) {
    cpSync(join(repoRoot, name), join(dir, name), {
      recursive: true,
      filter: (src) =>
        !src.includes(".observablehq") &&
        !/\/lib(\.|\/|$)/.test(src.slice(repoRoot.length)) &&
        (pipelines || !ownPage.test(src.slice(repoRoot.length)))
    });
  }
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  if (pipelines) copyPipelines(dir);
  return dir;
}

/** The repository's example pipelines (pipelines/*.yaml), without their stores, into `dir`. */
export function copyPipelines(dir: string): void {
  cpSync(join(repoRoot, "pipelines"), join(dir, "pipelines"), {
    recursive: true,
    filter: (src) => !src.includes(".mlbook")
  });
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the mlbook CLI of `project` (or of this repo) in `cwd`. Asynchronous on purpose: a
 * synchronous child blocks the test worker, which vitest then takes for dead.
 */
export function mlbook(
  cwd: string,
  args: string[],
  project = repoRoot,
  env: Record<string, string> = {}
): Promise<CliResult> {
  return run(cwd, process.execPath, [join(project, "bin", "mlbook.js"), ...args], env);
}

/** Runs `command` in `cwd`, colours off, and collects what it printed and its exit status. */
export function run(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {}
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env},
      stdio: ["ignore", "pipe", "pipe"]
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({status: code ?? -1, stdout, stderr}));
  });
}
