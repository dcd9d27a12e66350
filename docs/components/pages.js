import {html} from "htl";

export const pages = [
  ["index", "Overview"],
  ["data", "Data"],
  ["checks", "Checks"],
  ["features", "Features"],
  ["metrics", "Metrics"],
  ["experiments", "Experiments"],
  ["monitoring", "Monitoring"],
  ["pipeline", "Pipeline"],
  ["model", "Model card"]
];

/** Links to every page of a pipeline; `base` is the pipeline's folder relative to this page. */
export function pageLinks(base) {
  return html`<nav class="page-links">
    ${pages.map(([page, title]) => html`<a href="${base}${page}.html">${title}</a>`)}
  </nav>`;
}
