// Builds what the package ships besides its sources: lib/ (bin/bundle.js: the CLI, the public API
// and the worker entry points as JavaScript) and lib/types/ (declarations of the public API for
// TypeScript users, from tsc). Run by `npm install` (prepare), so `import … from "mlbook"` works
// from plain Node and from a workspace that depends on this checkout.
import {execFileSync} from "node:child_process";
import {readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {bundle} from "./bundle.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await bundle();

// Declarations keep the sources' `.ts` specifiers; a declaration file names its siblings `.js`
// (which TypeScript maps to the `.d.ts` beside them).
const tmp = join(root, "lib.types.tmp");
rmSync(tmp, {recursive: true, force: true});
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.lib.json")], {stdio: "inherit", cwd: root});
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".d.ts"))
      writeFileSync(
        path,
        readFileSync(path, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2")
      );
  }
};
walk(tmp);
const types = join(root, "lib", "types");
rmSync(types, {recursive: true, force: true});
renameSync(tmp, types);
