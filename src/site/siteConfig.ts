import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {listPipelines} from "./pipelines.ts";

/** The pages every pipeline gets, in sidebar order: file name under docs/[pipeline]/ and title. */
export const sitePages: readonly {page: string; title: string}[] = [
  {page: "index", title: "Overview"},
  {page: "data", title: "Data"},
  {page: "checks", title: "Checks"},
  {page: "features", title: "Features"},
  {page: "metrics", title: "Metrics"},
  {page: "experiments", title: "Experiments"},
  {page: "monitoring", title: "Monitoring"},
  {page: "pipeline", title: "Pipeline"},
  {page: "model", title: "Model card"}
];

/** Every concrete page path of the parameterised routes: `/<pipeline>/<page>` for each pipeline. */
export function dynamicPaths(projectRoot: string): string[] {
  return Object.keys(listPipelines(projectRoot)).flatMap((p) => sitePages.map(({page}) => `/${p}/${page}`));
}

/**
 * The sidebar: the workspace's own pages at the top (`docs/*.md` but the home page), then one
 * section per pipeline, the default pipeline's open: mlbook's pages, then the pipeline's own
 * (`docs/<pipeline>/*.md`, as `mlbook new page NAME --pipeline P` writes them).
 */
export function sidebar(
  projectRoot: string
): ({name: string; path: string} | {name: string; open: boolean; pages: {name: string; path: string}[]})[] {
  const docs = join(projectRoot, "docs");
  return [
    ...ownPages(docs, "").filter((p) => p.path !== "/index"),
    ...Object.keys(listPipelines(projectRoot)).map((p, i) => ({
      name: p,
      open: i === 0,
      pages: [
        ...sitePages.map(({page, title}) => ({name: title, path: `/${p}/${page}`})),
        ...ownPages(docs, p)
      ]
    }))
  ];
}

/** The Markdown pages of a folder of docs/ (`""`: docs/ itself), titled by their front matter or first heading. */
export function ownPages(docs: string, folder: string): {name: string; path: string}[] {
  const dir = join(docs, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => ({
      name: pageTitle(readFileSync(join(dir, f), "utf8")) ?? f.slice(0, -3),
      path: `${folder ? `/${folder}` : ""}/${f.slice(0, -3)}`
    }));
}

function pageTitle(markdown: string): string | undefined {
  const front = /^---\n([\s\S]*?)\n---/.exec(markdown)?.[1];
  const title = front && /^title:\s*(.+)$/m.exec(front)?.[1];
  return (title || /^#\s+(.+)$/m.exec(markdown)?.[1])?.trim().replace(/^["']|["']$/g, "");
}

/**
 * The pipeline switcher in every page's header: the same page of another pipeline, by relative
 * link (the site works from any folder of any static server). Plain HTML, so it works before any
 * script has loaded.
 */
export function switcherHeader(projectRoot: string, path: string): string {
  const pipelines = Object.keys(listPipelines(projectRoot));
  const parts = path.replace(/^\//, "").split("/");
  const inPipeline = parts.length === 2 && pipelines.includes(parts[0]);
  const current = inPipeline ? parts[0] : pipelines[0];
  const page = inPipeline ? parts[1] || "index" : "index";
  const up = "../".repeat(parts.length - 1) || "./";
  // A page of a pipeline's own that another pipeline lacks switches to that pipeline's overview.
  const docs = join(projectRoot, "docs");
  const has = (p: string) =>
    sitePages.some((s) => s.page === page) || existsSync(join(docs, p, `${page}.md`));
  const options = pipelines.map(
    (p) =>
      `<option value="${up}${p}/${has(p) ? page : "index"}.html"${p === current ? " selected" : ""}>${p}</option>`
  );
  return `<nav class="mlbook-switcher"><label>Pipeline <select id="pipeline-switcher" onchange="location.href=this.value">${options.join("")}</select></label></nav>`;
}
