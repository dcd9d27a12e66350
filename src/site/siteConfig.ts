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

/** The sidebar: one section per pipeline, the default pipeline's open. */
export function sidebar(
  projectRoot: string
): {name: string; open: boolean; pages: {name: string; path: string}[]}[] {
  return Object.keys(listPipelines(projectRoot)).map((p, i) => ({
    name: p,
    open: i === 0,
    pages: sitePages.map(({page, title}) => ({name: title, path: `/${p}/${page}`}))
  }));
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
  const options = pipelines.map(
    (p) => `<option value="${up}${p}/${page}.html"${p === current ? " selected" : ""}>${p}</option>`
  );
  return `<nav class="mlbook-switcher"><label>Pipeline <select id="pipeline-switcher" onchange="location.href=this.value">${options.join("")}</select></label></nav>`;
}
