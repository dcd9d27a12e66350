import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {basename, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {ConfigError} from "../../pipeline/errors.ts";
import {listPipelines} from "../../site/pipelines.ts";
import {writeAll} from "./new.ts";

/** This checkout of mlbook: what a new workspace depends on (a `file:` dependency). */
const mlbookRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * `mlbook init DIR`: a new workspace — package.json depending on this mlbook, mlbook.yaml (the
 * penguins pipeline), one example step with its test, the report pages (mlbook's own, reading
 * their data through `mlbook/loaders`), a README with the two commands. Refuses a folder that
 * has any of those files already.
 */
export async function initCommand(dir: string): Promise<void> {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new ConfigError(`${dir}: not a folder`);
  const name =
    basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-") || "workspace";
  const own = JSON.parse(readFileSync(join(mlbookRoot, "package.json"), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const dep = (pkg: string) => own.dependencies[pkg] ?? own.devDependencies[pkg];
  const files: [string, string][] = [
    [
      "package.json",
      `${JSON.stringify(
        {
          name,
          private: true,
          type: "module",
          scripts: {
            dev: "mlbook dev",
            build: "mlbook build",
            test: "vitest run && tsc --noEmit"
          },
          dependencies: {
            mlbook: `file:${mlbookRoot.replace(/\/$/, "")}`,
            // The `mlbook` command: a package of its own in mlbook's bin/ (see mlbook's README).
            "mlbook-cli": `file:${join(mlbookRoot, "bin")}`,
            // What the report pages import (Framework bundles them from this workspace's node_modules).
            "@observablehq/framework": dep("@observablehq/framework"),
            "@observablehq/inputs": dep("@observablehq/inputs"),
            htl: dep("htl"),
            vega: dep("vega"),
            "vega-embed": dep("vega-embed"),
            "vega-lite": dep("vega-lite"),
            // SQL in a page of one's own (docs/components/duckdb.js): DuckDB and a Parquet reader, in WebAssembly.
            "@duckdb/duckdb-wasm": dep("@duckdb/duckdb-wasm"),
            "parquet-wasm": dep("parquet-wasm"),
            // The example data.
            "vega-datasets": dep("vega-datasets")
          },
          devDependencies: {
            "@types/node": dep("@types/node"),
            typescript: dep("typescript"),
            vitest: dep("vitest")
          }
        },
        null,
        2
      )}\n`
    ],
    ["mlbook.yaml", configTemplate(name)],
    ["steps/beakRatio.ts", readFileSync(join(mlbookRoot, "steps", "beakRatio.ts"), "utf8")],
    ["steps/beakRatio.test.ts", readFileSync(join(mlbookRoot, "steps", "beakRatio.test.ts"), "utf8")],
    ["tsconfig.json", tsconfig],
    // The site config is mlbook's own, reading through the package.
    [
      "observablehq.config.ts",
      readFileSync(join(mlbookRoot, "observablehq.config.ts"), "utf8")
        .replace(/from "\.\/src\/site\/siteConfig\.ts"/, 'from "mlbook/site"')
        .replace("thin wrappers over src/loaders/.", "thin wrappers over mlbook's loaders (mlbook/loaders).")
    ],
    [".gitignore", "node_modules/\ndist/\n.mlbook/\ndocs/.observablehq/cache/\n"],
    ["README.md", readme(name)],
    ...docs()
  ];
  writeAll(
    files.map(([file, text]) => [join(root, file), text]),
    () => {}
  );
  const shown = relative(process.cwd(), root) || ".";
  console.log(`mlbook workspace in ${shown}: ${files.length} files (mlbook.yaml, steps/, docs/ …)`);
  console.log(`  cd ${shown} && npm install && npm run build   # set up, run the pipeline, build the report`);
  console.log(`  npm test                                      # the steps' tests and a type check`);
  console.log(`  npx mlbook new step NAME                      # a step of your own, wired into mlbook.yaml`);
}

/** mlbook's report pages, their loaders reading through `mlbook/loaders` as mlbook's own do. */
function docs(): [string, string][] {
  const from = join(mlbookRoot, "docs");
  // This repository's own pages of its example pipelines (docs/cars/, docs/data/cars/) read
  // pipelines a new workspace does not have.
  const own = new Set(
    Object.keys(listPipelines(mlbookRoot)).flatMap((p) => [join(from, p), join(from, "data", p)])
  );
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name);
      if (entry.name === ".observablehq" || own.has(path)) continue;
      if (entry.isDirectory()) walk(path);
      else
        out.push([
          join("docs", relative(from, path)),
          readFileSync(path, "utf8").replace(/see src\/loaders\/(\w+)\.ts/g, "see mlbook's src/loaders/$1.ts")
        ]);
    }
  };
  walk(from);
  return out;
}

function configTemplate(name: string): string {
  return `# ${name}: classify penguin species from body measurements (the data ships in vega-datasets).
# Every key is documented in mlbook's README; \`npx mlbook run key.path=value\` overrides any of them.
name: ${name}
data:
  source: vega-datasets/data/penguins.json
  target: Species
clean:
  na_values: ["."]
steps:
  # A step of this workspace (steps/beakRatio.ts): a feature computed after clean.
  beak_ratio: {module: ./steps/beakRatio.ts, after: clean, params: {scale: 1.0}}
split: {test_size: 0.2, stratify: true, seed: 42}
model:
  type: logistic_regression
  params: {C: 1.0}
`;
}

const tsconfig = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023", "DOM"],
      strict: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      types: ["node"]
    },
    include: ["steps", "models", "pipelines", "docs/data", "observablehq.config.ts"]
  },
  null,
  2
)}\n`;

function readme(name: string): string {
  return `# ${name}

An [mlbook](${mlbookRoot}) workspace: a pipeline (\`mlbook.yaml\`), steps and models of its own
(\`steps/\`, \`models/\`), and a report site (\`docs/\`).

\`\`\`sh
npm install && npm run build   # set up, run the pipeline, build the report into dist/
npm test                       # the steps' and models' tests, and a type check
\`\`\`

Then:

\`\`\`sh
npx mlbook run                          # run mlbook.yaml; fresh steps come from the store
npx mlbook new step NAME                # steps/NAME.ts and its test, wired into mlbook.yaml
npx mlbook new model NAME               # models/NAME.ts and its test, as model.type
npx mlbook new pipeline NAME            # pipelines/NAME.yaml and its test
npm run dev                             # live preview of the report
\`\`\`
`;
}
