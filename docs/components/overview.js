import {html} from "htl";
import {metric, short} from "./format.js";
import {pageLinks} from "./pages.js";
import {checksStatus, when} from "./status.js";

/** The Overview: what was trained on what, its headline metrics, and where the numbers came from. */
export function overview(report, base) {
  const {config} = report;
  const rows = report.steps.find((s) => s.name === "ingest")?.rows.data;
  return html`<div class="overview">
    <h1>${config.name}</h1>
    <p>${config.description ?? ""}</p>
    ${pageLinks(base)}
    <div class="grid grid-cols-4">
      <div class="card">
        <h2>Dataset</h2>
        <span class="big">${config.source.split("/").pop()}</span>
        <div>${rows === undefined ? "?" : rows.toLocaleString("en-US")} rows</div>
      </div>
      <div class="card">
        <h2>Target</h2>
        <span class="big">${config.target}</span>
        <div>${config.task}</div>
      </div>
      <div class="card">
        <h2>Model</h2>
        <span class="big">${config.model}</span>
        <div><code>${JSON.stringify(config.params)}</code></div>
      </div>
      <div class="card">
        <h2>${config.task === "regression" ? "Test R²" : "Test accuracy"}</h2>
        <span class="big headline-value"
          >${metric(config.task === "regression" ? report.headline.r2 : report.headline.accuracy)}</span
        >
      </div>
    </div>
    <div class="grid grid-cols-2">
      ${checksCard(report.checks, base)}${monitoringCard(report.monitoring, base)}
    </div>
    <h2>Headline metrics</h2>
    <table class="metrics">
      <thead>
        <tr>
          <th>metric</th>
          <th>value</th>
        </tr>
      </thead>
      <tbody>
        ${Object.entries(report.headline).map(
          ([name, value]) =>
            html`<tr>
              <td>${name}</td>
              <td class="num">${metric(value)}</td>
            </tr>`
        )}
      </tbody>
    </table>
    <h2>Provenance</h2>
    <table class="provenance">
      <tr>
        <td>run</td>
        <td><code class="run-id">${report.runId}</code> (<code>mlbook show ${report.runId}</code>)</td>
      </tr>
      <tr>
        <td>run started</td>
        <td>${report.startedAt}</td>
      </tr>
      <tr>
        <td>config digest</td>
        <td><code>${short(report.configDigest)}</code></td>
      </tr>
      <tr>
        <td>data digest</td>
        <td><code>${short(report.dataDigest)}</code> (ingest step key)</td>
      </tr>
      <tr>
        <td>page built</td>
        <td>${new Date(report.builtAt).toUTCString()}</td>
      </tr>
    </table>
  </div>`;
}

/** The run's data checks in brief: all passed, or how many failed and warned, which and which columns drifted. */
function checksCard(checks, base) {
  if (!checks) return "";
  const {failed, drifted} = checks;
  const status = checksStatus(checks);
  return html`<div class="card checks-summary ${failed.length ? "checks-failed" : "checks-ok"}">
    <h2>Data checks</h2>
    <span class="big status ${status.level}">${status.text}</span>
    <div>
      ${drifted.length ? `drift from the reference data in ${drifted.join(", ")}` : "no drift flagged"} ·
      <a href="${base}checks.html">the checks page</a>
    </div>
    ${
      failed.length
        ? html`<ul>
            ${failed.map((f) => html`<li><code>${f.severity}</code> ${f.message}</li>`)}
          </ul>`
        : ""
    }
  </div>`;
}

/** The latest batch monitored against the pipeline's models: what drifted in it (only once there is one). */
function monitoringCard(monitoring, base) {
  const latest = monitoring?.latest;
  if (!latest) return "";
  const {drifted} = latest;
  return html`<div class="card monitoring-summary ${drifted.length ? "checks-failed" : "checks-ok"}">
    <h2>Monitoring</h2>
    <span class="big status ${drifted.length ? "bad" : "ok"}"
      >${drifted.length ? `drift in ${drifted.length} of the latest batch` : "no drift in the latest batch"}</span
    >
    <div>
      ${latest.file} (${latest.rows.toLocaleString("en-US")} rows, ${when(latest.at)}) against
      <code>${latest.version === null ? latest.model : `${latest.model}:v${latest.version}`}</code> ·
      ${monitoring.batches} ${monitoring.batches === 1 ? "batch" : "batches"} ·
      <a href="${base}monitoring.html">the monitoring page</a>
    </div>
    ${
      drifted.length
        ? html`<ul class="drifted">
            ${drifted.map((d) => html`<li>${d}</li>`)}
          </ul>`
        : ""
    }
  </div>`;
}
