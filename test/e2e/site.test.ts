import {csvParse} from "d3-dsv";
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchChromium, NO_PROBLEMS, problemsOf, serve, watchPage, type Served} from "../helpers/browser.ts";
import {offlineProblems} from "../helpers/dist.ts";
import {formatMetric} from "../../src/pipeline/tracking/textTable.ts";
import {writePenguinBatches} from "../helpers/batches.ts";
import {copyOfRepo, mlbook, repoRoot, run} from "../helpers/project.ts";
import {startServing} from "../helpers/server.ts";

const screenshots = join(repoRoot, "test-results", "screenshots");
const pages = [
  "index",
  "data",
  "checks",
  "features",
  "metrics",
  "experiments",
  "monitoring",
  "pipeline",
  "model"
];
const pipelines = ["penguins", "cars", "flights", "movies"];
/** Pages of the repository's own, written on the public page-data API as a user's are. */
const ownPages = ["cars/errors"];

/**
 * One build of a copy of the repo — the default pipeline and every example under pipelines/ —
 * serves every browser check below. flights.yaml reads the real 3,000,000-row file but keeps
 * January's flights (about 500,000 rows): the whole file is built by `npm run bench -- site`,
 * which also checks what its Data page ships.
 */
describe("the static report site", () => {
  let dir: string;
  let build: Awaited<ReturnType<typeof mlbook>>;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    dir = copyOfRepo({pipelines: true});
    const flights = join(dir, "pipelines", "flights.yaml");
    writeFileSync(
      flights,
      readFileSync(flights, "utf8").replace(/^clean:\n/m, 'clean:\n  filter: "month(date) = 1"\n')
    );
    // Two batches monitored against the penguins model, for its Monitoring page.
    expect((await mlbook(dir, ["run"], dir)).status).toBe(0);
    writePenguinBatches(dir);
    for (const [batch, at] of [
      ["same.json", "2026-05-01"],
      ["shifted.json", "2026-06-01"]
    ])
      await mlbook(dir, ["monitor", "penguins-model", batch, "--labels", "Species", "--at", at], dir);
    // Two movies sweeps for its Experiments page: ridge against a random forest (whose params ridge
    // lacks), then ridge's alpha.
    for (const sweep of ["model=ridge,random_forest", "model.params.alpha=0.3,30"])
      expect((await mlbook(dir, ["run", "-c", "pipelines/movies.yaml", "-m", sweep], dir)).status).toBe(0);
    const t0 = Date.now();
    build = await mlbook(dir, ["build"], dir);
    console.log(
      `site build (4 pipelines, flights on January's rows): ${Math.round((Date.now() - t0) / 1000)} s`
    );
    browser = await launchChromium();
    site = await serve(join(dir, "dist"));
    mkdirSync(screenshots, {recursive: true});
  }, 1_200_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const open = async (path: string) => {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const log = watchPage(page, site.url);
    await page.goto(`${site.url}/${path}`, {waitUntil: "networkidle"});
    return {page, log};
  };
  const pageJson = <T>(name: string): T => {
    const folder = join(dir, "dist", "_file", "data", ...name.split("/").slice(0, -1));
    const base = name
      .split("/")
      .at(-1)!
      .replace(/\.json$/, "");
    const file = readdirSync(folder).find((f) => new RegExp(`^${base}\\.[0-9a-f]+\\.json$`).test(f))!;
    return JSON.parse(readFileSync(join(folder, file), "utf8")) as T;
  };

  /** A run's data checks as the overview and home page word them: errors failed, warnings warned. */
  const checksText = (checks: {expectations: number; failed: {severity: string}[]}) => {
    const warned = checks.failed.filter((f) => f.severity === "warn").length;
    const failed = checks.failed.length - warned;
    const counts = [failed ? `${failed} failed` : "", warned ? `${warned} warned` : ""].filter(Boolean);
    return counts.length
      ? `${counts.join(", ")} of ${checks.expectations}`
      : `all ${checks.expectations} passed`;
  };
  /** A Vega mark's fields, from the aria-label Vega writes on it (`delay: -30.5; count: 12`). */
  const markFields = (label: string | null) =>
    Object.fromEntries(
      (label ?? "")
        .split("; ")
        .map((kv) => [kv.slice(0, kv.lastIndexOf(": ")), kv.slice(kv.lastIndexOf(": ") + 2)])
    );

  it("builds every page of every pipeline with no network", () => {
    expect(build.stderr).not.toMatch(/error/i);
    expect(build.status).toBe(0);
    for (const p of pipelines)
      for (const q of pages) expect(readdirSync(join(dir, "dist", p))).toContain(`${q}.html`);
    for (const p of ownPages)
      expect(readdirSync(join(dir, "dist", p.split("/")[0]))).toContain(`${p.split("/")[1]}.html`);
  });

  it("leaves no bare import, CDN or Google Fonts URL, or local path in dist/", () => {
    // DuckDB-WASM's module holds jsDelivr URLs in getJsDelivrBundles(), which the Error analysis
    // page's DuckDB (docs/components/duckdb.js) never calls: the page check below blocks off-host requests.
    const duckdbCdn = {
      file: /^_node\/@duckdb\/duckdb-wasm@[\d.]+\/index\.[0-9a-f]+\.js$/,
      host: "cdn.jsdelivr.net"
    };
    expect(offlineProblems(join(dir, "dist"), [dir, repoRoot], [duckdbCdn])).toEqual([]);
  });

  it("loads every page with no console error or stray request, draws every chart at 1280 and 768 px with nothing overflowing, and screenshots it", async () => {
    for (const path of [
      "index.html",
      ...pipelines.flatMap((p) => pages.map((q) => `${p}/${q}.html`)),
      ...ownPages.map((p) => `${p}.html`)
    ]) {
      const {page, log} = await open(path);
      const charts = page.locator(".chart");
      for (let i = 0; i < (await charts.count()); ++i) {
        await charts.nth(i).locator("svg .role-mark").first().waitFor({timeout: 10_000});
        expect(
          await charts.nth(i).locator("svg .role-mark > *").count(),
          `${path} chart ${i}`
        ).toBeGreaterThan(0);
      }
      if (path.endsWith("/pipeline.html"))
        expect(await page.locator("svg.dag g.dag-node").count()).toBeGreaterThan(3);
      if (path.endsWith("/index.html")) {
        // The overview says how the run's data checks went, as its page data has them: errors
        // failed, warnings warned.
        const checks = pageJson<{checks: {expectations: number; failed: {severity: string}[]} | null}>(
          `${path.split("/")[0]}/run.json`
        ).checks;
        const card = page.locator(".checks-summary .big");
        if (!checks) expect(await card.count(), path).toBe(0);
        else expect(await card.textContent(), path).toBe(checksText(checks));
      }
      const shot = join(screenshots, path.replace("/", "-").replace(".html", ""));
      await page.screenshot({path: `${shot}.png`, fullPage: true});
      // At 768 px (a tablet, a half-screen window) charts are redrawn to the width and nothing
      // pushes the page sideways: wide tables and the DAG scroll in their own box.
      // (Polled: a chart is redrawn once Framework sees the new width.)
      await page.setViewportSize({width: 768, height: 900});
      for (let i = 0; i < (await charts.count()); ++i) {
        await charts.nth(i).locator("svg .role-mark").first().waitFor({timeout: 10_000});
        await expect
          .poll(
            async () => {
              const box = await charts.nth(i).boundingBox();
              return box && box.x + box.width;
            },
            {message: `${path} chart ${i} at 768 px`, timeout: 10_000}
          )
          .toBeLessThanOrEqual(768);
      }
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth), {
          message: `${path}: page width at 768 px`,
          timeout: 10_000
        })
        .toBeLessThanOrEqual(768);
      await page.screenshot({path: `${shot}-768.png`, fullPage: true});
      expect({path, ...problemsOf(log)}).toEqual({path, ...NO_PROBLEMS});
      await page.close();
    }
  }, 600_000);

  it("ships the flights Data page (January: ~500,000 rows) as bins and a bounded sample, and draws them", async () => {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const log = watchPage(page, site.url);
    const edaResponse = page.waitForResponse((r) =>
      /\/_file\/data\/flights\/eda\.[0-9a-f]+\.json$/.test(r.url())
    );
    await page.goto(`${site.url}/flights/data.html`, {waitUntil: "networkidle"});
    const edaBytes = (await (await edaResponse).body()).length;
    const eda = pageJson<{
      rows: number;
      split: Record<string, number>;
      columns: {
        name: string;
        kind: string;
        missingPct: number;
        bins: {count: number}[];
        clipped?: {below: number; above: number; bins: {count: number}[]} | null;
      }[];
      sample: Record<string, unknown[]>;
    }>("flights/eda.json");
    const shownRows = await page.locator("p", {hasText: "The cleaned table:"}).textContent();
    expect(shownRows).toContain(`${eda.rows.toLocaleString("en-US")} rows`);
    expect(eda.rows).toBeGreaterThan(400_000);
    // The split step's own row counts (its manifest) add up to the table the page profiles.
    expect(Object.values(eda.split).reduce((a, b) => a + b, 0)).toBe(eda.rows);
    // Every present value of every column is counted in its bins (equal-width bins of a number,
    // the top values and "(other)" of a category), yet the page gets a few KiB per column.
    expect(eda.columns.some((c) => c.kind === "numeric")).toBe(true);
    for (const c of eda.columns) {
      const counted = c.bins.reduce((sum, b) => sum + b.count, 0);
      expect(counted, c.name).toBeCloseTo(eda.rows * (1 - c.missingPct / 100), 0);
      expect(c.bins.length, c.name).toBeLessThanOrEqual(30);
      // Clipped to the 1st–99th percentile: what is drawn and what is not add up to every value.
      if (c.clipped) {
        const drawn = c.clipped.bins.reduce((sum, b) => sum + b.count, 0);
        expect(drawn + c.clipped.below + c.clipped.above, c.name).toBe(counted);
        expect(c.clipped.bins.length, c.name).toBeLessThanOrEqual(30);
      }
    }
    // The date is a date (by week over January–June 2001), the delay a whole number.
    expect(eda.columns.map((c) => [c.name, c.kind])).toEqual([
      ["date", "date"],
      ["delay", "numeric"],
      ["distance", "numeric"],
      ["origin", "categorical"],
      ["destination", "categorical"],
      ["late", "categorical"]
    ]);
    for (const [column, values] of Object.entries(eda.sample))
      expect(values.length, column).toBeLessThanOrEqual(2000);
    const histogramBars = await page.locator(".chart.histogram svg .role-mark path").count();
    expect(histogramBars).toBeGreaterThan(1);
    expect(histogramBars).toBeLessThanOrEqual(30);
    expect(await page.locator(".chart.scatter svg .role-mark > *").count()).toBeGreaterThan(100);
    console.log(
      `flights Data page: ${eda.rows} rows shipped as ${(edaBytes / 1024).toFixed(0)} KiB of page data, ` +
        `${(log.bytes / 1024).toFixed(0)} KiB transferred in all`
    );
    expect(edaBytes).toBeLessThanOrEqual(128 * 1024);
    expect(log.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(problemsOf(log)).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it("clips the flights delay histogram to its 1st–99th percentile by default, draws every bin unclipped, and rescales on log", async () => {
    const {page, log} = await open("flights/data.html");
    type Bins = {lo: number; hi: number; count: number; byClass: number[]}[];
    const eda = pageJson<{
      classes: string[];
      columns: {name: string; bins: Bins; clipped: {below: number; above: number; bins: Bins} | null}[];
    }>("flights/eda.json");
    const delay = eda.columns.find((c) => c.name === "delay")!;
    // The column most associated with the target is shown first: delay, which `late` is made from.
    expect(
      await page
        .locator("form:has-text('Column') select")
        .evaluate((select: HTMLSelectElement) => select.selectedOptions[0].textContent)
    ).toBe("delay");
    const histogram = page.locator(".chart.histogram svg .role-mark path");
    const stacked = page.locator(".chart.target-by-feature svg .role-mark path");
    const drawn = () => histogram.evaluateAll((ps) => ps.map((p) => p.getAttribute("d")).join("|"));
    const redrawn = (before: string) =>
      page.waitForFunction(
        (b) =>
          Array.from(document.querySelectorAll(".chart.histogram svg .role-mark path"))
            .map((p) => p.getAttribute("d"))
            .join("|") !== b,
        before
      );
    await histogram.first().waitFor();
    const clipped = delay.clipped!;
    expect(await histogram.count()).toBe(clipped.bins.length);
    expect(await page.locator(".clip-note").textContent()).toContain(
      `${clipped.below.toLocaleString("en-US")} values below and ${clipped.above.toLocaleString("en-US")} above are not drawn`
    );
    // Against the target, over the same bins: one rect per class of each bin holding rows.
    const withRows = (bins: Bins) => bins.filter((b) => b.count > 0).length * eda.classes.length;
    expect(await stacked.count()).toBe(withRows(clipped.bins));
    const clippedBars = await drawn();

    await page.locator("form:has-text('Clip to') input[type=checkbox]").uncheck();
    await redrawn(clippedBars);
    expect(await histogram.count()).toBe(delay.bins.length);
    expect(await page.locator(".clip-note").count()).toBe(0);
    expect(await stacked.count()).toBe(withRows(delay.bins));
    const wholeBars = await drawn();

    await page.locator("form:has-text('Log count scale') input[type=checkbox]").check();
    await redrawn(wholeBars);
    expect(await histogram.count()).toBe(delay.bins.length);
    expect(await page.locator(".chart.histogram svg").textContent()).toContain("rows (log scale)");
    expect(log.consoleErrors).toEqual([]);
    await page.close();
  });

  it("bins whole-number columns on whole numbers: a bar per cylinder count, flipper lengths two millimetres a bar", async () => {
    for (const [pipeline, column, width] of [
      ["cars", "Cylinders", 1],
      ["penguins", "Flipper Length (mm)", 2]
    ] as const) {
      const {page} = await open(`${pipeline}/data.html`);
      const eda = pageJson<{
        columns: {name: string; integer?: boolean; bins: {lo: number; hi: number; count: number}[]}[];
      }>(`${pipeline}/eda.json`);
      const c = eda.columns.find((x) => x.name === column)!;
      expect(c.integer).toBe(true);
      await page.locator("form:has-text('Column') select").selectOption(column);
      await page.locator(".chart.histogram svg", {hasText: column}).waitFor();
      // Each bar spans the integers it counts, drawn from half below the first to half below the next bin.
      const bars = (
        await page
          .locator(".chart.histogram svg .role-mark path")
          .evaluateAll((ps) => ps.map((p) => p.getAttribute("aria-label")))
      ).map(markFields);
      expect(bars.map((b) => [Number(b[column]), Number(b.x1), Number(b.count)])).toEqual(
        c.bins.map((b) => [b.lo - 0.5, b.hi - 0.5, b.count])
      );
      expect(c.bins.every((b) => Number.isInteger(b.lo) && b.hi - b.lo === width)).toBe(true);
      await page.close();
    }
  });

  it("summarises text and dates as what they are, and writes numbers by their size", async () => {
    const {page} = await open("movies/data.html");
    const eda = pageJson<{
      columns: {
        name: string;
        kind: string;
        stats?: Record<string, number>;
        length?: {min: number; max: number};
        format?: string;
      }[];
    }>("movies/eda.json");
    const byName = Object.fromEntries(eda.columns.map((c) => [c.name, c]));
    const cells = async (table: string, name: string) =>
      page
        .locator(`table.${table} tr`, {has: page.locator("td:first-child", {hasText: name})})
        .first()
        .locator("td")
        .allTextContents();
    // Free text: lengths and repeated values, no min or max of the titles.
    expect(byName.Title.kind).toBe("text");
    const title = await cells("profile-text", "Title");
    const {min, max} = byName.Title.length!;
    expect(title[3]).toMatch(new RegExp(`^${min} – ${max}, mean \\d+(\\.\\d+)?$`));
    expect(await page.locator("table.profile-categorical th", {hasText: /^min$/}).count()).toBe(0);
    // A date written as text is read as a date.
    expect(byName["Release Date"]).toMatchObject({kind: "date", format: "%b %d %Y"});
    expect((await cells("profile-date", "Release Date")).at(-1)).toBe("text, %b %d %Y");
    // 44519744.499 as 44,519,744; 2767891499 as 2.77e9.
    const gross = await cells("profile-numeric", "US Gross");
    expect(gross[6]).toBe(Math.round(byName["US Gross"].stats!.mean).toLocaleString("en-US"));
    expect(gross[6]).toBe("44,519,744");
    expect((await cells("profile-numeric", "Worldwide Gross"))[8]).toBe("2.77e9");
    await page.close();
  });

  it("lists every pipeline on the home page, a row each, with the metric, checks, drift, last run and model mlbook reports", async () => {
    const {page, log} = await open("index.html");
    const rows = page.locator("table.pipelines tbody tr");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pipeline")))).toEqual(
      pipelines
    );
    const models = JSON.parse((await mlbook(dir, ["models", "--json"], dir)).stdout) as {
      name: string;
      version: number;
      aliases: string;
    }[];
    const batches = JSON.parse(
      (await mlbook(dir, ["monitor", "penguins-model", "--history", "--json"], dir)).stdout
    ) as {
      file: string;
      drifted: string[];
    }[];
    for (const p of pipelines) {
      const row = page.locator(`table.pipelines tr[data-pipeline="${p}"]`);
      const config = p === "penguins" ? "mlbook.yaml" : `pipelines/${p}.yaml`;
      // The run the pipeline's own pages show (the newest of its config as written: a sweep's
      // other jobs are newer for movies), and its test metric as `mlbook show` prints it.
      const run = pageJson<{
        runId: string;
        checks: {expectations: number; failed: {severity: string}[]; drifted: string[]} | null;
      }>(`${p}/run.json`);
      const listed = JSON.parse(
        (await mlbook(dir, ["runs", "-p", p, "--json", "-c", config], dir)).stdout
      ) as {id: string}[];
      expect(listed.map((r) => r.id)).toContain(run.runId);
      expect(await row.locator("td.run code.run-id").textContent(), p).toBe(run.runId);
      const shown = JSON.parse(
        (await mlbook(dir, ["show", run.runId, "--json", "-c", config], dir)).stdout
      ) as {
        metrics: Record<string, number>;
      };
      const metric = p === "cars" || p === "movies" ? "r2" : "accuracy";
      expect(await row.locator("td.metric .big-number").textContent(), p).toBe(
        formatMetric(shown.metrics[metric])
      );
      expect(await row.locator("td.metric .muted").textContent(), p).toBe(`test ${metric}`);
      // Checks and the check step's drift as the overview's page data has them.
      expect(await row.locator("td.checks .status").textContent(), p).toBe(
        run.checks ? checksText(run.checks) : "—"
      );
      const drift = await row.locator("td.drift .status").textContent();
      if (p === "penguins") {
        const latest = batches.at(-1)!;
        expect(latest.drifted).toEqual(["Flipper Length (mm)", "Body Mass (g)"]);
        expect(drift).toBe(`${latest.drifted.length} drifted in the latest batch`);
        expect(await row.locator("td.drift").textContent()).toContain(`${latest.file}`);
      } else if (run.checks?.drifted.length)
        expect(drift, p).toBe(`${run.checks.drifted.length} drifted from the reference`);
      else expect(drift, p).toBe("no batch monitored");
      // The registered model's versions and aliases, as `mlbook models` lists them; none without register:.
      expect(await row.locator("td.model").textContent(), p).toBe(
        p === "penguins"
          ? models.map((m) => `${m.name}:v${m.version}${m.aliases ? ` ${m.aliases}` : ""}`).join("")
          : "—"
      );
    }
    // A row's name opens the pipeline's overview.
    await Promise.all([
      page.waitForURL(/\/cars\/index\.html$/),
      page.locator('table.pipelines tr[data-pipeline="cars"] td.name a').click()
    ]);
    await page.locator("h1", {hasText: "cars"}).waitFor();
    expect(log.consoleErrors).toEqual([]);
    await page.close();
    // The overview shows the latest batch's drift once there is one.
    const penguins = await open("penguins/index.html");
    expect(await penguins.page.locator(".monitoring-summary .big").textContent()).toBe(
      "drift in 2 of the latest batch"
    );
    expect(await penguins.page.locator(".monitoring-summary li").allTextContents()).toEqual([
      "Flipper Length (mm)",
      "Body Mass (g)"
    ]);
    await penguins.page.close();
    const cars = await open("cars/index.html");
    expect(await cars.page.locator(".monitoring-summary").count()).toBe(0);
    await cars.page.close();
  }, 120_000);

  it("draws the Pipeline page at full size at 1280 px: no scaled-down DAG, full keys on hover, sizes in KB and MB", async () => {
    for (const p of pipelines) {
      const {page} = await open(`${p}/pipeline.html`);
      const report = pageJson<{
        steps: {name: string; key: string}[];
        artifacts: {name: string; bytes: string}[];
      }>(`${p}/run.json`);
      const dag = page.locator("svg.dag");
      const [shown, drawn] = await dag.evaluate((svg) => [
        svg.getBoundingClientRect().width,
        Number(svg.getAttribute("width"))
      ]);
      expect(shown, p).toBe(drawn);
      // It fits the page's column: no sideways scrolling at 1280 px.
      expect(await page.locator(".dag-container").evaluate((d) => d.scrollWidth <= d.clientWidth), p).toBe(
        true
      );
      const sizes = await dag
        .locator("text")
        .evaluateAll((ts) => ts.map((t) => parseFloat(getComputedStyle(t).fontSize)));
      expect(Math.min(...sizes), p).toBeGreaterThanOrEqual(12);
      for (const s of report.steps)
        expect(
          await page.locator(`g.dag-node[data-step="${s.name}"] title`).textContent(),
          `${p} ${s.name}`
        ).toContain(`key: ${s.key}`);
      const rows = await page
        .locator("table.artifacts tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.querySelector("td:nth-child(4)")!.textContent,
            tr.querySelector("td:nth-child(4)")!.getAttribute("title")
          ])
        );
      expect(rows).toHaveLength(report.artifacts.length);
      report.artifacts.forEach((a, i) => {
        const [size, title] = rows[i];
        expect(title, a.name).toBe(`${Number(a.bytes).toLocaleString("en-US")} bytes`);
        const n = Number(a.bytes);
        const unit = n < 1024 ? "B" : n < 1024 ** 2 ? "KB" : n < 1024 ** 3 ? "MB" : "GB";
        expect(size, a.name).toMatch(new RegExp(`^\\d+(\\.\\d)? ${unit}$`));
      });
      await page.close();
    }
  });

  it("shows the monitored batches on the Monitoring page: drift per column and batch, the latest batch's drifted columns", async () => {
    const {page, log} = await open("penguins/monitoring.html");
    const data = pageJson<{batches: {file: string; columns: {name: string; flags: string[]}[]}[]}>(
      "penguins/monitoring.json"
    );
    expect(data.batches.map((b) => b.file)).toEqual(["same.json", "shifted.json"]);
    const columns = data.batches[0].columns.length;
    // One heatmap cell per input column and the predictions, per batch.
    await page.locator(".drift-heatmap svg .role-mark path").first().waitFor();
    expect(await page.locator(".drift-heatmap svg .role-mark path").count()).toBe(2 * (columns + 1));
    expect(await page.locator("h2", {hasText: "Latest batch: shifted.json"}).count()).toBe(1);
    const drifted = data.batches[1].columns.filter((c) => c.flags.length).map((c) => c.name);
    expect(drifted).toEqual(["Flipper Length (mm)", "Body Mass (g)"]);
    const text = await page.locator("main").textContent();
    for (const name of drifted) expect(text).toContain(`${name} (PSI`);
    // Side-by-side histograms of each drifted column, and the labelled batches' metrics.
    expect(await page.locator(".column-histogram").count()).toBe(2);
    expect(await page.locator(".metrics-chart svg .role-mark").count()).toBeGreaterThan(0);
    expect(log.consoleErrors).toEqual([]);
    await page.close();
    // A pipeline nothing was monitored for says how to start.
    const empty = await open("flights/monitoring.html");
    expect(await empty.page.locator(".empty-monitoring").textContent()).toContain(
      "mlbook monitor model new-rows.csv --config pipelines/flights.yaml"
    );
    await empty.page.close();
  });

  /** One class against the rest at threshold k / bins, counted here from the shipped bins. */
  const countsAt = ({positive, negative}: {positive: number[]; negative: number[]}, k: number) => {
    const sum = (a: number[], from: number, to?: number) => a.slice(from, to).reduce((x, y) => x + y, 0);
    const [tp, fp, fn, tn] = [sum(positive, k), sum(negative, k), sum(positive, 0, k), sum(negative, 0, k)];
    return {tp, fp, fn, tn, tpr: tp / (tp + fn), fpr: fp / (fp + tn), precision: tp / (tp + fp)};
  };
  type Thresholds = {thresholds: {class: string; auc: number; positive: number[]; negative: number[]}[]};
  /** The heatmap's cells as written, by their aria label's actual and predicted class. */
  const heatmapCells = (page: Page, chart: string) =>
    page.locator(`.chart.${chart} g.role-mark text`).evaluateAll((ts) =>
      Object.fromEntries(
        ts.map((t) => {
          const [, predicted, actual] = /predicted: (.*?); actual: (.*?);/.exec(
            t.getAttribute("aria-label")!
          )!;
          return [`${actual}|${predicted}`, t.textContent];
        })
      )
    );
  /** Where a chart draws its first mark of a layer named `name`, in its plot's pixels. */
  const markAt = async (page: Page, chart: string, name: string) => {
    const transform = await page
      .locator(`.chart.${chart} g.${name}_marks > *`)
      .first()
      .getAttribute("transform");
    const [, x, y] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(transform!)!;
    return {x: Number(x), y: Number(y)};
  };
  const written = (n: number) => n.toLocaleString("en-US");

  it("moves the operating point on ROC and PR, the rule and the heatmap of counts with the threshold slider", async () => {
    const {page} = await open("flights/metrics.html");
    const [yes] = pageJson<Thresholds>("flights/metrics.json").thresholds;
    const expectAt = async (k: number) => {
      const c = countsAt(yes, k);
      // The 2 × 2 heatmap writes the counts as people read them (467,463).
      expect(await heatmapCells(page, "threshold-matrix")).toEqual({
        "no|no": written(c.tn),
        "no|yes": written(c.fp),
        "yes|no": written(c.fn),
        "yes|yes": written(c.tp)
      });
      // The operating point sits at (FPR, TPR) on the ROC and (recall, precision) on the PR plot,
      // both 300 × 280 pixels over [0, 1]; the sweep's rule at the threshold, 300 pixels wide.
      const roc = await markAt(page, "roc", "operating_point");
      expect(roc.x).toBeCloseTo(c.fpr * 300, 6);
      expect(roc.y).toBeCloseTo((1 - c.tpr) * 280, 6);
      const pr = await markAt(page, "pr", "operating_point");
      expect(pr.x).toBeCloseTo(c.tpr * 300, 6);
      expect(pr.y).toBeCloseTo((1 - c.precision) * 280, 6);
      expect((await markAt(page, "threshold-sweep", "threshold_rule")).x).toBeCloseTo((k / 100) * 300, 6);
      expect(await page.locator("table.threshold-metrics td.precision").textContent()).toBe(
        c.precision.toFixed(4)
      );
      expect(await page.locator("table.threshold-metrics td.recall").textContent()).toBe(c.tpr.toFixed(4));
    };
    await expectAt(50);
    await page.locator("form:has-text('Threshold') input[type=range]").fill("0.8");
    // The threshold's cell redraws its charts and matrix together, under this heading.
    await page.locator("h3", {hasText: "At threshold 0.80"}).waitFor();
    await expectAt(80);
    expect(await page.locator(".chart.roc svg").textContent()).toContain(`yes (AUC ${yes.auc.toFixed(3)})`);
    await page.close();
  });

  it("puts one picked class against the rest on penguins' curves, each class's AUC in the legend", async () => {
    const {page} = await open("penguins/metrics.html");
    const {thresholds} = pageJson<Thresholds>("penguins/metrics.json");
    expect(thresholds.map((t) => t.class)).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    // Perfect scores: every curve runs along the axes, and the legend says so.
    const legend = await page.locator(".chart.roc svg").textContent();
    for (const t of thresholds) expect(legend).toContain(`${t.class} (AUC 1.000, perfect separation)`);
    await page.locator("form:has-text('Class against the rest') select").selectOption("Chinstrap");
    await page.locator("form:has-text('Threshold') input[type=range]").fill("0.97");
    await page.locator("h3", {hasText: "At threshold 0.97"}).waitFor();
    expect(await page.locator(".chart.threshold-sweep svg").textContent()).toContain("P(Chinstrap)");
    const c = countsAt(thresholds[1], 97);
    expect(await heatmapCells(page, "threshold-matrix")).toEqual({
      "not Chinstrap|not Chinstrap": written(c.tn),
      "not Chinstrap|Chinstrap": written(c.fp),
      "Chinstrap|not Chinstrap": written(c.fn),
      "Chinstrap|Chinstrap": written(c.tp)
    });
    // Some Chinstraps have a probability under 0.97: the point leaves the corner, down the axis.
    expect(c.fn).toBeGreaterThan(0);
    const roc = await markAt(page, "roc", "operating_point");
    expect(roc.x).toBeCloseTo(c.fpr * 300, 6);
    expect(roc.y).toBeCloseTo((1 - c.tpr) * 280, 6);
    await page.close();
  });

  it("draws every test row's residual and the errors per group of the picked column", async () => {
    const {page} = await open("movies/metrics.html");
    const data = pageJson<{
      report: {rows: number};
      residuals: {bins: {from: number; rows: number}[]};
      errorBy: {column: string; groups: {group: string; rows: number; mae: number; bias: number}[]}[];
    }>("movies/metrics.json");
    // One bar per bin, labelled with its rows, adding up to the test rows.
    const bars = await page
      .locator(".chart.residual-histogram g.role-mark path")
      .evaluateAll((ps) => ps.map((p) => Number(/; rows: (\d+)/.exec(p.getAttribute("aria-label")!)![1])));
    expect(bars).toEqual(data.residuals.bins.map((b) => b.rows));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(data.report.rows);
    // Bars from zero: their lengths are in the ratio of the groups' values.
    const widths = () =>
      page
        .locator(".chart.error-by-column g.mark-rect path")
        .evaluateAll((ps) => ps.map((p) => Math.abs(Number(/h(-?[\d.e-]+)/.exec(p.getAttribute("d")!)![1]))));
    const expectRatios = (got: number[], want: number[]) => {
      expect(got).toHaveLength(want.length);
      for (const [i, w] of got.entries())
        expect(w / got[0]).toBeCloseTo(Math.abs(want[i]) / Math.abs(want[0]), 6);
    };
    await page.locator("form:has-text('Error by column') select").selectOption("Major Genre");
    await page.locator(".chart.error-by-column svg", {hasText: "Drama"}).waitFor();
    const genre = data.errorBy.find((c) => c.column === "Major Genre")!;
    expectRatios(
      await widths(),
      genre.groups.map((g) => g.mae)
    );
    await page.locator("form:has-text('Measure') label", {hasText: "mean residual"}).click();
    await page.locator(".chart.error-by-column svg", {hasText: "mean residual"}).waitFor();
    expectRatios(
      await widths(),
      genre.groups.map((g) => g.bias)
    );
    await page.close();
  });

  it("redraws the histogram when another column is picked", async () => {
    const {page} = await open("penguins/data.html");
    const bars = () =>
      page
        .locator(".chart.histogram svg .role-mark path")
        .evaluateAll((ps) => ps.map((p) => p.getAttribute("d")).join("|"));
    const before = await bars();
    await page.locator("form:has-text('Column') select").selectOption("Body Mass (g)");
    await page.waitForFunction(
      (b) =>
        Array.from(document.querySelectorAll(".chart.histogram svg .role-mark path"))
          .map((p) => p.getAttribute("d"))
          .join("|") !== b,
      before
    );
    expect(await bars()).not.toBe(before);
    expect(await page.locator(".chart.histogram svg").textContent()).toContain("Body Mass (g)");
    await page.close();
  });

  it("compares the movies runs on the Experiments page: by model type, coloured by a param, by another metric, two runs diffed", async () => {
    const {page, log} = await open("movies/experiments.html");
    const data = pageJson<{
      runs: {id: string; params: Record<string, unknown>; metrics: Record<string, number>}[];
    }>("movies/experiments.json");
    const type = (r: {params: Record<string, unknown>}) => r.params["model.type"] as string;
    // Every run with a metric is a line; a sweep's shared-steps run has none.
    const scored = data.runs.filter((r) => r.metrics.r2 !== undefined);
    const ridge = scored.filter((r) => type(r) === "ridge");
    const forest = scored.filter((r) => type(r) === "random_forest");
    expect([ridge.length, forest.length]).toEqual([scored.length - 1, 1]);
    const lines = page.locator("svg.parallel-coords path.pc-run");
    const legend = () => page.locator(".colour-legend .swatch").allTextContents();
    const alphaChart = page.locator(".sweep-chart", {
      has: page.locator(".role-title", {hasText: /^model\.params\.alpha$/})
    });
    const marks = (panel: string) => alphaChart.locator(`svg .role-mark.${panel}_marks path`);
    const rows = page.locator("form table").first().locator("tbody tr");

    // r2 (what the sweeps picked by, and it varies), the model family in colour, one line per run.
    const picked = (label: string) =>
      page.getByLabel(label, {exact: true}).locator("option:checked").textContent();
    expect(await picked("Metric")).toBe("r2");
    expect(await lines.count()).toBe(scored.length);
    expect(await legend()).toEqual(["random_forest", "ridge"]);
    // alpha is ridge's: the forest's run sits in the "(not set)" strip, not on the alpha axis.
    await marks("set").first().waitFor();
    expect([await marks("set").count(), await marks("notset").count()]).toEqual([ridge.length, 1]);
    const best = (metric: string, sign: number) =>
      scored.reduce((a, b) => (sign * b.metrics[metric] > sign * a.metrics[metric] ? b : a)).id;
    expect(await page.locator("svg.parallel-coords path.pc-best").getAttribute("data-run")).toBe(
      best("r2", 1)
    );
    // Two runs to diff, from the start: the best against the newest other one.
    expect(await picked("Run A")).toContain(`${best("r2", 1)} ★ best`);
    expect(await picked("Run B")).toContain(scored.find((r) => r.id !== best("r2", 1))!.id);
    expect(await page.locator("table.diff-params").textContent()).toContain("model.type");

    // Coloured by alpha: its values in order, the forest's run grey as "(not set)".
    await page.getByLabel("Colour by").selectOption({label: "model.params.alpha"});
    await page.waitForFunction(() => document.querySelectorAll(".colour-legend .swatch").length === 4);
    expect(await legend()).toEqual(["0.3", "3", "30", "(not set)"]);
    const strokes = await lines.evaluateAll((ps) => new Set(ps.map((p) => p.getAttribute("stroke"))).size);
    expect(strokes).toBe(4);

    // Another metric: rmse, lowest best.
    await page.getByLabel("Metric", {exact: true}).selectOption({label: "rmse"});
    // (The best run by rmse is likely the best by r2 too: wait for the redrawn axis, then look.)
    await page.waitForFunction(() =>
      document.querySelector("svg.parallel-coords")?.textContent?.includes("rmse")
    );
    expect(await page.locator("svg.parallel-coords path.pc-best").getAttribute("data-run")).toBe(
      best("rmse", -1)
    );

    // Ridge only: its runs in the table, one line each, alpha on its axis with no strip beside it.
    await page
      .getByLabel("Model type")
      .selectOption({label: `ridge (${data.runs.filter((r) => type(r) === "ridge").length} runs)`});
    await page.waitForFunction(
      (n) => document.querySelectorAll("svg.parallel-coords path.pc-run").length === n,
      ridge.length
    );
    expect(await rows.count()).toBe(data.runs.filter((r) => type(r) === "ridge").length);
    expect((await rows.allTextContents()).some((row) => row.includes(forest[0].id))).toBe(false);
    await marks("set").first().waitFor();
    expect([await marks("set").count(), await marks("notset").count()]).toEqual([ridge.length, 0]);
    expect(await page.locator(".sweep-chart").count()).toBe(1);
    expect(log.consoleErrors).toEqual([]);
    await page.screenshot({path: join(screenshots, "movies-experiments-ridge.png"), fullPage: true});
    await page.close();
  });

  it("shows the cars Error analysis page, made on the public API: the worst predictions, error against a picked column, SQL over the Parquet artifacts in the browser", async () => {
    const {page, log} = await open("cars/errors.html");
    const data = pageJson<{
      target: string;
      columns: string[];
      rows: Record<string, number | string | null>[];
    }>("cars/errors.json");
    // The loader's rows are the test rows beside the run's predictions, worst first.
    const metrics = pageJson<{headline: {mae: number}}>("cars/metrics.json").headline;
    const errors = data.rows.map((r) => Math.abs(r.error as number));
    expect(errors).toEqual([...errors].sort((a, b) => b - a));
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeCloseTo(metrics.mae, 9);
    const worst = page.locator("table").first().locator("tbody tr").first();
    await worst.waitFor();
    expect(await worst.textContent()).toContain(String(data.rows[0].Name));
    // One point per test row against the picked column, redrawn for another column.
    const chart = page.locator(".chart.error-chart");
    const marks = chart.locator("svg .role-mark path[aria-roledescription='point']");
    await expect.poll(() => marks.count()).toBe(data.rows.length);
    expect(await marks.first().getAttribute("aria-label")).toMatch(/^Weight_in_lbs: /);
    await page.locator("select").nth(1).selectOption("Horsepower");
    await expect
      .poll(async () => (await marks.first().getAttribute("aria-label")) ?? "")
      .toMatch(/^Horsepower: /);

    // SQL run by DuckDB in the browser over the stored Parquet files: the default query's answer is
    // the loader's rows grouped the same way.
    const answer = page.locator("form textarea").locator("xpath=ancestor::form/following::table[1]");
    await answer.locator("tbody tr").first().waitFor({timeout: 60_000});
    const groups = new Map<string, number[]>();
    for (const r of data.rows) {
      const key = `${r.Origin} ${r.Cylinders}`;
      groups.set(key, [...(groups.get(key) ?? []), Math.abs(r.error as number)]);
    }
    const expected = [...groups]
      .map(([key, e]) => ({
        key,
        cars: e.length,
        mae: Math.round((e.reduce((a, b) => a + b, 0) / e.length) * 100) / 100
      }))
      .sort((a, b) => b.mae - a.mae);
    const shown = await answer
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((r) => Array.from(r.querySelectorAll("td"), (td) => td.textContent?.trim() ?? ""))
      );
    expect(
      shown.map((cells) => ({key: `${cells[1]} ${cells[2]}`, cars: Number(cells[3]), mae: Number(cells[4])}))
    ).toEqual(expected);
    // Another query, then a wrong one, which says what DuckDB said.
    await page
      .locator("form textarea")
      .fill("SELECT count(*) AS n, max(Horsepower) AS hp FROM test POSITIONAL JOIN predictions");
    await page.locator("form button", {hasText: "Run"}).click();
    await expect
      .poll(() => answer.locator("tbody tr").first().textContent())
      .toMatch(
        new RegExp(
          `${data.rows.length}\\s*${Math.max(...data.rows.map((r) => (r.Horsepower as number | null) ?? 0))}`
        )
      );
    await page.locator("form textarea").fill("SELECT nonsense FROM test");
    await page.locator("form button", {hasText: "Run"}).click();
    await expect.poll(() => page.locator(".sql-error").textContent()).toMatch(/Binder Error: .*nonsense/);
    expect(problemsOf(log)).toEqual(NO_PROBLEMS);
    await page.close();
  });

  it("switches pipeline from the header, keeping the page", async () => {
    const {page} = await open("penguins/metrics.html");
    await Promise.all([
      page.waitForURL(/\/cars\/metrics\.html$/),
      page.locator("#pipeline-switcher").selectOption({label: "cars"})
    ]);
    await page.locator("h1", {hasText: "cars: metrics"}).waitFor();
    expect(await page.locator("#pipeline-switcher").inputValue()).toBe("../cars/metrics.html");
    await page.close();
  });

  it("shows on every metrics page the numbers mlbook show reports for that run", async () => {
    for (const p of pipelines) {
      const {page} = await open(`${p}/metrics.html`);
      const runId = (await page.locator("code.run-id").first().textContent())!;
      const config = p === "penguins" ? "mlbook.yaml" : `pipelines/${p}.yaml`;
      const shown = JSON.parse((await mlbook(dir, ["show", runId, "--json", "-c", config], dir)).stdout) as {
        metrics: Record<string, number>;
      };
      const rows = await page
        .locator("table.metrics tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent))
        );
      expect(rows.length).toBeGreaterThan(0);
      for (const [name, value] of rows)
        expect(value, `${p} ${name}`).toBe(formatMetric(shown.metrics[name!]));
      await page.close();
    }
    const run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as {
      steps: {status: string}[];
      metrics: Record<string, number>;
    };
    expect(run.steps.every((s) => s.status === "fresh")).toBe(true);
    expect(pageJson<{headline: Record<string, number>}>("penguins/run.json").headline).toEqual(run.metrics);
  }, 120_000);

  it("runs each Model card's predict, serve-model and curl commands as copied from the page", async () => {
    for (const p of pipelines) {
      const {page} = await open(`${p}/model.html`);
      const copied = async (cls: string) => (await page.locator(`pre.${cls} code`).textContent())!;
      const [predict, serveLine, curl] = [
        await copied("predict"),
        await copied("serve"),
        await copied("curl")
      ];
      await page.close();
      const example = JSON.parse(predict.split("\n")[1]) as Record<string, unknown>[];
      expect(example.length, p).toBeGreaterThan(0);

      const scored = await run(dir, "bash", ["-c", predict]);
      expect(scored.stderr, p).toBe("");
      expect(scored.status, p).toBe(0);
      const table = csvParse(scored.stdout);
      expect(table).toHaveLength(example.length);
      expect(table.columns).toContain("prediction");

      const server = await startServing(dir, "bash", ["-c", serveLine], {}, {group: true});
      try {
        expect(server.url).toBe("http://127.0.0.1:5000");
        const answered = await run(dir, "bash", ["-c", curl]);
        expect(answered.status, p).toBe(0);
        const predictions = (JSON.parse(answered.stdout) as {predictions: {prediction: unknown}[]})
          .predictions;
        expect(predictions.map((r) => String(r.prediction))).toEqual(table.map((r) => r.prediction));
      } finally {
        await server.stop();
      }
    }
  }, 300_000);

  it("serves the default pipeline's home page in ≤ 2 MB, interactive within 2 s", async () => {
    const page = await browser.newPage();
    const log = watchPage(page, site.url);
    const t0 = Date.now();
    await page.goto(`${site.url}/index.html`);
    await page.locator("table.pipelines td.metric").first().waitFor();
    const interactive = Date.now() - t0;
    await page.waitForLoadState("networkidle");
    console.log(
      `home page: ${(log.bytes / 1024).toFixed(0)} KiB transferred, interactive in ${interactive} ms`
    );
    expect(log.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(interactive).toBeLessThan(2000);
    await page.close();
  });

  it("after model.params.C changes, re-runs only the loaders that read the model and shows new metrics", async () => {
    const before = pageJson<{headline: Record<string, number>}>("penguins/metrics.json").headline;
    const config = join(dir, "mlbook.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace(/C: 1\.0/, "C: 0.01"));
    const rebuild = await mlbook(dir, ["build"], dir);
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(/loader data\/penguins\/metrics\.json: stale \(step evaluate changed\)/);
    expect(rebuild.stdout).toMatch(/loader data\/penguins\/eda\.json: fresh/);
    expect(rebuild.stdout).toMatch(/loader data\/penguins\/checks\.json: fresh/);
    expect(rebuild.stdout).toMatch(/loader data\/cars\/metrics\.json: fresh/);
    expect(rebuild.stdout).not.toMatch(/loader data\/(cars|movies|flights)\/\S+: made/);
    const after = pageJson<{headline: Record<string, number>}>("penguins/metrics.json").headline;
    expect(after.log_loss).not.toBe(before.log_loss);
    const {page} = await open("penguins/metrics.html");
    const logLoss = await page
      .locator("table.metrics tr", {hasText: "log_loss"})
      .locator("td.num")
      .textContent();
    expect(logLoss).toBe(formatMetric(after.log_loss));
    await page.close();
  }, 300_000);
});
