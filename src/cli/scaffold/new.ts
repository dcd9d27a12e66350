import {existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync} from "node:fs";
import {dirname, isAbsolute, join, relative, resolve} from "node:path";
import {parseDocument, stringify} from "yaml";
import {loadConfig} from "../../pipeline/builtins.ts";
import {stepNamePattern} from "../../pipeline/engine/coreConfig.ts";
import {buildGraph} from "../../pipeline/engine/graph.ts";
import {isPlainObject} from "../../pipeline/engine/plainObject.ts";
import {ConfigError} from "../../pipeline/errors.ts";
import {listPipelines} from "../../site/pipelines.ts";
import {sitePages} from "../../site/siteConfig.ts";
import {
  modelTemplate,
  modelTestTemplate,
  pageLoaderTemplate,
  pageTemplate,
  pipelineTemplate,
  pipelineTestTemplate,
  stepTemplate,
  stepTestTemplate
} from "./templates.ts";

export interface NewOptions {
  config: string;
  /** new step: the step it follows (default: the last step with a data table). */
  after?: string;
  /** new page: the pipeline it belongs to (its sidebar section); default: a page of its own. */
  pipeline?: string;
}

/**
 * `mlbook new step|model|pipeline NAME`: writes a working module (or config) and a passing test
 * beside it, and wires it into the config — a step under `steps:`, a model as `model.type`, a
 * pipeline as pipelines/NAME.yaml. Refuses to overwrite anything.
 */
export async function newCommand(kind: string, name: string, options: NewOptions): Promise<void> {
  if (kind === "page") return newPage(name, options);
  if (!stepNamePattern.test(name))
    throw new ConfigError(
      `invalid name: ${JSON.stringify(name)} (letters, digits and _, not starting with a digit)`
    );
  const config = resolve(options.config);
  const root = dirname(config);
  const say = (line: string) => console.log(line);
  switch (kind) {
    case "step": {
      const loaded = await loadConfig(config);
      if (name in loaded.config.steps || loaded.catalog.steps.some((s) => s.name === name))
        throw new ConfigError(
          `invalid name: ${name} is a step of ${relative(process.cwd(), config)} already`
        );
      const graph = buildGraph(loaded);
      const after =
        options.after ??
        graph.nodes.filter((n) => n.step.outputs.data?.kind === "table" && !n.step.final).at(-1)?.name;
      if (!after)
        throw new ConfigError(
          `${relative(process.cwd(), config)}: no step with a data table to follow (give --after)`
        );
      writeAll(
        [
          [join(root, "steps", `${name}.ts`), stepTemplate(name)],
          [join(root, "steps", `${name}.test.ts`), stepTestTemplate(name, `${name}.ts`)]
        ],
        say
      );
      edit(config, (doc) => {
        doc.setIn(["steps", name], doc.createNode({module: `./steps/${name}.ts`, after}, {flow: true}));
      });
      say(`  ${relative(process.cwd(), config)}: steps.${name} runs after ${after}`);
      say(`Edit its run() body, then: npx mlbook run`);
      return;
    }
    case "model": {
      const loaded = await loadConfig(config);
      writeAll(
        [
          [join(root, "models", `${name}.ts`), modelTemplate(name)],
          [join(root, "models", `${name}.test.ts`), modelTestTemplate(name, `${name}.ts`)]
        ],
        say
      );
      const before = loaded.config.model.type;
      edit(config, (doc) => {
        doc.setIn(["model", "type"], `./models/${name}.ts`);
        // The old params were the other model's (as switching a Hydra config group).
        doc.setIn(["model", "params"], doc.createNode({}, {flow: true}));
      });
      say(`  ${relative(process.cwd(), config)}: model.type ${before} → ./models/${name}.ts`);
      say(`Compare with: npx mlbook run -m model.type=${before},./models/${name}.ts`);
      return;
    }
    case "pipeline": {
      const source = existsSync(config) ? (await loadConfig(config)).raw : undefined;
      const data = source?.data as Record<string, unknown> | undefined;
      if (!data)
        throw new ConfigError(
          `${relative(process.cwd(), config)}: no data section to start the pipeline from`
        );
      // Data paths are the default config's: files beside it are one folder up from pipelines/.
      const from = (path: unknown) =>
        typeof path === "string" && !isAbsolute(path) && existsSync(join(root, path))
          ? relative(join(root, "pipelines"), join(root, path))
          : path;
      const moved: Record<string, unknown> = {...data, source: from(data.source)};
      if (data.source === undefined) delete moved.source;
      if (isPlainObject(data.tables))
        moved.tables = Object.fromEntries(Object.entries(data.tables).map(([k, v]) => [k, from(v)]));
      const yaml = stringify(moved)
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n");
      writeAll(
        [
          [
            join(root, "pipelines", `${name}.yaml`),
            pipelineTemplate(name, yaml, String(data.task ?? "classification"))
          ],
          [join(root, "pipelines", `${name}.test.ts`), pipelineTestTemplate(name)]
        ],
        say
      );
      say(`Run it: npx mlbook run -c pipelines/${name}.yaml (its pages appear in the report's sidebar)`);
      return;
    }
    default:
      throw new ConfigError(`invalid kind: ${JSON.stringify(kind)} (expected step, model, pipeline or page)`);
  }
}

/**
 * `mlbook new page NAME [--pipeline P]`: a Markdown page and its data loader, reading the
 * pipeline's runs and predictions through mlbook's page-data API — docs/P/NAME.md in P's sidebar
 * section, or docs/NAME.md at the top of the sidebar.
 */
function newPage(name: string, options: NewOptions): void {
  if (!/^[a-z][a-z0-9_-]*$/i.test(name))
    throw new ConfigError(
      `invalid page name: ${JSON.stringify(name)} (letters, digits, _ and -, starting with a letter)`
    );
  const root = dirname(resolve(options.config));
  const pipelines = listPipelines(root);
  const {pipeline} = options;
  if (pipeline !== undefined && !(pipeline in pipelines))
    throw new ConfigError(
      `invalid --pipeline: ${JSON.stringify(pipeline)} (expected one of ${Object.keys(pipelines).join(", ") || "none: no mlbook.yaml here"})`
    );
  if (pipeline === undefined && !Object.keys(pipelines).length)
    throw new ConfigError(
      `${relative(process.cwd(), resolve(options.config))}: no such config (a page reads a pipeline)`
    );
  if (pipeline === undefined ? name === "index" : sitePages.some((p) => p.page === name))
    throw new ConfigError(`invalid page name: ${name} is one of mlbook's pages`);
  if (pipeline === undefined && name in pipelines)
    throw new ConfigError(`invalid page name: ${name} is a pipeline's name (its pages' folder)`);
  const folder = pipeline ? `${pipeline}/` : "";
  const up = pipeline ? "../" : "./";
  writeAll(
    [
      [
        join(root, "docs", `${folder}${name}.md`),
        pageTemplate(name, `${up}data/${folder}${name}.json`, `${up}components`)
      ],
      [join(root, "docs", "data", `${folder}${name}.json.js`), pageLoaderTemplate(name, pipeline)]
    ],
    (line) => console.log(line)
  );
  // A running preview re-reads the site config when its file changes: the sidebar lists the page.
  const siteConfig = join(root, "observablehq.config.ts");
  if (existsSync(siteConfig)) utimesSync(siteConfig, new Date(), new Date());
  console.log(
    `Open it: npm run dev, then /${folder}${name} (in the sidebar${pipeline ? ` under ${pipeline}` : ""})`
  );
}

/** Writes the files, none of which may exist: one that does stops it before anything is written. */
export function writeAll(files: readonly [string, string][], say: (line: string) => void): void {
  const taken = files.find(([file]) => existsSync(file));
  if (taken)
    throw new ConfigError(`${relative(process.cwd(), taken[0])} exists already: nothing was written`);
  for (const [file, text] of files) {
    mkdirSync(dirname(file), {recursive: true});
    writeFileSync(file, text, {flag: "wx"});
    say(`  wrote ${relative(process.cwd(), file)}`);
  }
}

/** Edits a YAML file in place, keeping its comments and layout. */
function edit(file: string, change: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(file, "utf8"));
  change(doc);
  writeFileSync(file, doc.toString({flowCollectionPadding: false}));
}
