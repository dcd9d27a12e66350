#!/usr/bin/env node
// Runs the CLI from lib/ (an esbuild bundle of src/), rebuilding it first when any source file is
// newer than the bundle; falls back to running the TypeScript through tsx if bundling fails.
// `mlbook run` first tries to replay an all-fresh run from its receipt (src/cli/receipt.ts).
import {readdirSync, statSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "lib", "main.js");

function newest(dir) {
  let latest = 0;
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let fresh = false;
try {
  // The bundle is stale when a source, or the recipe that bundles them, is newer.
  const recipe = statSync(join(root, "bin", "bundle.js")).mtimeMs;
  fresh = statSync(entry).mtimeMs >= Math.max(newest(join(root, "src")), recipe);
} catch {
  fresh = false;
}
if (!fresh && process.env.MLBOOK_NO_BUNDLE !== "1") {
  try {
    await (await import("./bundle.js")).bundle();
    fresh = true;
  } catch (error) {
    process.stderr.write(
      `mlbook: cannot bundle the CLI (${error.message}); running the TypeScript sources\n`
    );
  }
}
if (fresh && process.env.MLBOOK_NO_BUNDLE !== "1") {
  // An all-fresh `mlbook run` is replayed from its receipt without loading the CLI (src/cli/receipt.ts).
  const replayed =
    process.argv[2] === "run" &&
    (await (
      await import(pathToFileURL(join(root, "lib", "receipt.js")).href)
    ).replayReceipt(process.argv.slice(3)));
  if (!replayed) await import(pathToFileURL(entry).href);
} else {
  const {register} = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
