import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {connect as connectTo} from "node:net";
import {join} from "node:path";
import type {Browser, Locator, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createRng} from "../../src/pipeline/ml/rng.ts";
import {formatMetric} from "../../src/pipeline/tracking/textTable.ts";
import {launchChromium, watchPage} from "../helpers/browser.ts";
import {startDev, until, type Dev} from "../helpers/dev.ts";
import {copyOfRepo, mlbook, repoRoot} from "../helpers/project.ts";

const screenshots = join(repoRoot, "test-results", "screenshots");

/** The text of the metrics table's row `name` on the page. */
function metricCell(page: Page, name: string) {
  return page.locator("table.metrics tr", {hasText: name}).locator("td.num");
}

/**
 * `mlbook dev` on a copy of the repo (the default pipeline only): a page open in Chromium picks up
 * a config edit by itself, through Framework's preview socket, with only the affected steps re-run.
 */
describe("the live preview (mlbook dev)", () => {
  let dir: string;
  let dev: Dev;
  let browser: Browser;

  beforeAll(async () => {
    dir = copyOfRepo();
    dev = await startDev(dir);
    browser = await launchChromium();
    mkdirSync(screenshots, {recursive: true});
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  }, 30_000);

  /** A page of the preview, its console and request log, and how often its main frame loaded. */
  const openPage = async () => {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const log = watchPage(page, dev.url);
    let loads = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) loads++;
    });
    return {page, log, navigations: () => loads};
  };

  it("refreshes the open metrics page when model.params.C changes, re-running only train onwards", async () => {
    const {page, log, navigations} = await openPage();
    await page.goto(`${dev.url}/penguins/metrics.html`);
    const logLoss = metricCell(page, "log_loss");
    await logLoss.waitFor({timeout: 180_000});
    const runId = async () => (await page.locator("code.run-id").first().textContent())!;
    const firstRun = await runId();
    const first = (await logLoss.textContent())!;
    // The Data page reads only clean and split: its output is made now and must stay fresh below.
    const data = await browser.newPage();
    await data.goto(`${dev.url}/penguins/data.html`);
    await data.locator(".chart.histogram svg .role-mark").first().waitFor({timeout: 120_000});
    await data.close();

    const config = join(dir, "mlbook.yaml");
    const original = readFileSync(config, "utf8");
    expect(original).toMatch(/\n {4}C: 1\.0\n/);
    /** Writes `file`, waits until `watched` shows something else, returns the server's output since. */
    const edit = async (file: string, text: string, watched: Locator, what: string) => {
      const mark = dev.output().length;
      const previous = await watched.textContent();
      const t0 = Date.now();
      writeFileSync(file, text);
      let shown: string | null = previous;
      await until(
        async () => (shown = await watched.textContent({timeout: 1_000}).catch(() => null)) !== previous,
        90_000,
        `the open page to show a new ${what}`
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the server said:\n${dev.output().slice(mark)}`);
      });
      console.log(`live preview: ${what} ${previous} → ${shown}, ${Date.now() - t0} ms after the edit`);
      // Loaders log before they exit, and the page has the loader's output: the log is complete.
      return {output: dev.output().slice(mark), shown};
    };

    // One document throughout: the page was updated in place, not reloaded.
    await page.evaluate(() => ((window as unknown as {marker: string}).marker = "still here"));
    const {output: afterEdit} = await edit(
      config,
      original.replace(/C: 1\.0/, "C: 0.01"),
      logLoss,
      "log_loss (C 1.0 → 0.01)"
    );
    expect(await page.evaluate(() => (window as unknown as {marker?: string}).marker)).toBe("still here");
    expect(navigations()).toBe(1);

    // The terminal names the loaders that went stale and why; the Data page's loader is not one.
    expect(afterEdit).toContain("mlbook: mlbook.yaml changed");
    expect(afterEdit).toMatch(/mlbook: loader data\/penguins\/metrics\.json stale \(step evaluate changed\)/);
    expect(afterEdit).not.toMatch(/loader data\/penguins\/eda\.json stale/);
    expect(afterEdit).not.toMatch(/loader data\/penguins\/checks\.json stale/);
    // The dev server made the page's data itself (the page had read it), and Framework served
    // it as fresh, running no loader of its own; the Data page's was neither made nor loaded.
    expect(afterEdit).toMatch(/mlbook: made data\/penguins\/metrics\.json in \d+ ms/);
    expect(afterEdit).toMatch(/load \/data\/penguins\/metrics\.json → \[fresh\]/);
    expect(afterEdit).not.toMatch(/load \/data\/penguins\/metrics\.json → \[stale\]/);
    expect(afterEdit).not.toMatch(/load \/data\/penguins\/eda\.json/);
    // The pipeline re-ran from train on: the steps before it were fresh.
    for (const step of ["ingest", "clean", "beak_ratio", "check", "split"])
      expect(afterEdit).toContain(`  ${step} fresh\n`);
    expect(afterEdit).toContain("  train ran (param model.params.C changed)\n");

    // The page shows the new run, as tracking recorded it.
    await until(async () => (await runId()) !== firstRun, 10_000, "the page to show the new run id");
    const secondRun = await runId();
    const shown = JSON.parse((await mlbook(dir, ["show", secondRun, "--json"], dir)).stdout) as {
      metrics: Record<string, number>;
      steps: {step: string; status: string; reason: string | null}[];
    };
    expect(await logLoss.textContent()).toBe(formatMetric(shown.metrics.log_loss));
    expect(Object.fromEntries(shown.steps.map((s) => [s.step, s.status]))).toEqual({
      ingest: "fresh",
      clean: "fresh",
      beak_ratio: "fresh",
      check: "fresh",
      split: "fresh",
      train: "ran",
      evaluate: "ran",
      register: "ran"
    });
    await page.screenshot({path: join(screenshots, "dev-penguins-metrics-after-edit.png"), fullPage: true});

    // Back to C: 1.0: every step's output is in the store, so the page returns to the first run's
    // numbers with no step run at all, still without a reload.
    const {output: afterRevert, shown: reverted} = await edit(
      config,
      original,
      logLoss,
      "log_loss (C 0.01 → 1.0)"
    );
    expect(reverted).toBe(first);
    await until(async () => (await runId()) === firstRun, 10_000, "the page to show the first run id");
    expect(afterRevert).toMatch(
      /mlbook: loader data\/penguins\/metrics\.json stale \(step evaluate changed\)/
    );
    expect(afterRevert).not.toMatch(/^ {2}\w+ ran \(/m);
    expect(await page.evaluate(() => (window as unknown as {marker?: string}).marker)).toBe("still here");
    expect(navigations()).toBe(1);

    // A step's source: evaluate runs again (same numbers, so a new run id is what the page shows).
    const evaluate = join(dir, "src", "pipeline", "steps", "evaluate.ts");
    const {output: afterCode} = await edit(
      evaluate,
      `${readFileSync(evaluate, "utf8")}\n// edited by test/e2e/dev.test.ts\n`,
      page.locator("code.run-id").first(),
      "run id (evaluate.ts edited)"
    );
    expect(afterCode).toContain("mlbook: src/pipeline/steps/evaluate.ts changed");
    // (Every loader imports the pipeline runner, and so every step's code: each loader's code
    // digest changes too, which the terminal says after the step.)
    expect(afterCode).toMatch(
      /mlbook: loader data\/penguins\/metrics\.json stale \(step evaluate changed[;)]/
    );
    for (const step of ["ingest", "clean", "check", "split", "train"])
      expect(afterCode).toContain(`  ${step} fresh\n`);
    expect(afterCode).toContain("  evaluate ran (code of evaluate changed)\n");
    expect(await logLoss.textContent()).toBe(first);
    expect(await page.evaluate(() => (window as unknown as {marker?: string}).marker)).toBe("still here");
    expect(navigations()).toBe(1);

    // A step of the workspace's own (steps/beakRatio.ts): it and what follows it run again.
    const step = join(dir, "steps", "beakRatio.ts");
    const {output: afterStep} = await edit(
      step,
      `${readFileSync(step, "utf8")}\n// edited by test/e2e/dev.test.ts\n`,
      page.locator("code.run-id").first(),
      "run id (steps/beakRatio.ts edited)"
    );
    expect(afterStep).toContain("mlbook: steps/beakRatio.ts changed");
    for (const fresh of ["ingest", "clean"]) expect(afterStep).toContain(`  ${fresh} fresh\n`);
    expect(afterStep).toContain("  beak_ratio ran (code of beak_ratio changed)\n");
    expect(afterStep).toContain("  train ran (upstream split, beak_ratio changed)\n");
    expect(await logLoss.textContent()).toBe(first);
    expect(navigations()).toBe(1);

    expect(dev.child.exitCode).toBeNull();
    expect({consoleErrors: log.consoleErrors, failedRequests: log.failedRequests}).toEqual({
      consoleErrors: [],
      failedRequests: []
    });
    expect(log.offHostRequests).toEqual([]);
    await page.close();
  }, 420_000);

  it("answers malformed requests with 400 and keeps serving (Framework's preview alone ends on GET /%)", async () => {
    const {port} = new URL(dev.url);
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connectTo(Number(port), "127.0.0.1");
        let answer = "";
        socket.on("data", (d) => (answer += d.toString("latin1")));
        socket.on("error", () => resolve(answer));
        socket.on("close", () => resolve(answer));
        socket.end(text);
      });
    for (const target of ["/%", "/%E0%A4%A", "/_observablehq/%zz", "/a%00b"]) {
      const answer = await raw(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      expect(answer.slice(0, 12), target).toBe("HTTP/1.1 400");
    }
    const rng = createRng(5);
    const alphabet = "abc/.%%%0123456789ABCDEFz?#&=+;~_";
    for (let i = 0; i < 200; ++i) {
      const path = Array.from({length: 1 + rng.int(30)}, () => alphabet[rng.int(alphabet.length)]).join("");
      const answer = await raw(`GET /${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      expect(Number(answer.slice(9, 12)), `GET /${path}`).toBeLessThan(500);
    }
    expect(dev.child.exitCode).toBeNull();
    const res = await fetch(`${dev.url}/`);
    expect(res.status).toBe(200);
    expect(dev.output()).toContain(`127.0.0.1:${port}`);
  });

  it("shows a sweep run from another terminal on the open Experiments page, and filters to its jobs", async () => {
    const {page, log, navigations} = await openPage();
    await page.goto(`${dev.url}/penguins/experiments.html`);
    const table = page.locator("form table").first();
    await table.locator("tbody tr").first().waitFor({timeout: 120_000});

    // A sweep nothing in the preview asked for: only the tracking database changes.
    const mark = dev.output().length;
    const t0 = Date.now();
    const cli = await mlbook(dir, ["run", "-m", "model.params.C=0.3,3", "--jobs", "2", "--json"], dir);
    expect(cli.status).toBe(0);
    const sweep = JSON.parse(cli.stdout) as {
      sweepId: string;
      jobs: {runId: string}[];
      winner: {runId: string; registerRunId: string | null};
    };
    const jobs = sweep.jobs.map((j) => j.runId);
    // Finished jobs reach the database while the sweep runs, its winner at its end: the page shows
    // the jobs as they come, then the whole sweep.
    await until(
      async () => {
        const text = (await table.textContent())!;
        return jobs.every((id) => text.includes(id)) && text.includes(`${sweep.sweepId} (registers best)`);
      },
      60_000,
      `the sweep's runs and its registration on the page`
    );
    console.log(`live preview: sweep ${sweep.sweepId} shown ${Date.now() - t0} ms after the CLI began`);
    expect(navigations()).toBe(1);
    const output = dev.output().slice(mark);
    expect(output).toContain("mlbook: .mlbook/tracking.duckdb");
    expect(output).toMatch(
      /mlbook: loader data\/penguins\/experiments\.json stale \(tracked runs, registry or monitored batches changed\)/
    );

    // Every run: the sweep's shared-steps run and its registration are labelled, not taken for jobs.
    const everything = (await table.textContent())!;
    expect(everything).toContain(`${sweep.sweepId} (shared steps)`);
    expect(everything).toContain(`${sweep.sweepId} (registers best)`);
    // Showing only that sweep: its two jobs, the best starred.
    expect(sweep.winner.registerRunId).not.toBeNull();
    await page.getByLabel("Show").selectOption({index: 1});
    const rows = table.locator("tbody tr");
    await until(async () => (await rows.count()) === 2, 10_000, "the table to show the sweep's 2 jobs");
    const shown = await rows.allTextContents();
    expect(jobs.map((id) => shown.some((row) => row.includes(id)))).toEqual([true, true]);
    expect(shown.filter((row) => row.includes("★"))).toEqual([expect.stringContaining(sweep.winner.runId)]);
    expect(await page.locator("p", {hasText: "Params that differ between runs"}).textContent()).toContain(
      "model.params.C"
    );
    // What varied comes first, right after the run: then when, then how it did.
    const headers = (await table.locator("thead th").allTextContents()).map((h) => h.trim());
    expect(headers.indexOf("model.params.C")).toBeGreaterThan(headers.indexOf("run"));
    expect(headers.indexOf("model.params.C")).toBeLessThan(headers.indexOf("started"));
    expect({consoleErrors: log.consoleErrors, failedRequests: log.failedRequests}).toEqual({
      consoleErrors: [],
      failedRequests: []
    });
    await page.screenshot({path: join(screenshots, "dev-penguins-experiments-sweep.png"), fullPage: true});
    await page.close();
  }, 180_000);

  it("makes one run for an edit seen by five open pages, recorded as the preview's, registering nothing", async () => {
    const names = ["index", "metrics", "model", "features", "experiments"];
    const pages = await Promise.all(names.map(async () => (await openPage()).page));
    await Promise.all(pages.map((p, i) => p.goto(`${dev.url}/penguins/${names[i]}.html`)));
    const metrics = pages[1];
    const logLoss = metricCell(metrics, "log_loss");
    await logLoss.waitFor({timeout: 180_000});
    const listRuns = async () =>
      JSON.parse((await mlbook(dir, ["runs", "--json"], dir)).stdout) as {
        id: string;
        source: string | null;
        note: string | null;
        duration_ms: number;
      }[];
    const before = new Set((await listRuns()).map((r) => r.id));
    const models = async () => (await mlbook(dir, ["models", "--json"], dir)).stdout;
    const registered = await models();

    const config = join(dir, "mlbook.yaml");
    const original = readFileSync(config, "utf8");
    const previous = await logLoss.textContent();
    const mark = dev.output().length;
    const t0 = Date.now();
    writeFileSync(config, original.replace(/C: 1\.0/, "C: 0.37"));
    await until(
      async () => (await logLoss.textContent({timeout: 1_000}).catch(() => previous)) !== previous,
      120_000,
      "the open metrics page to show the edit"
    );
    const updated = Date.now() - t0;
    // Every page's loaders have had their turn once the server has been quiet for a while.
    for (let quiet = 0, seen = dev.output().length; quiet < 5;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      quiet = dev.output().length === seen ? quiet + 1 : 0;
      seen = dev.output().length;
    }
    const output = dev.output().slice(mark);
    const made = (await listRuns()).filter((r) => !before.has(r.id));
    console.log(
      `live preview, 5 pages open: ${(output.match(/ {2}train ran /g) ?? []).length} training, ${made.length} run recorded; ` +
        `the metrics page showed the edit ${updated} ms after it, the run itself took ${made[0]?.duration_ms} ms ` +
        `(${(updated / (made[0]?.duration_ms ?? NaN)).toFixed(1)}×)`
    );
    expect((output.match(/ {2}train ran /g) ?? []).length).toBe(1);
    // The terminal is not flooded with the preview's socket messages (`mlbook dev --verbose` shows them).
    expect(output).toMatch(/load \/data\/penguins\/metrics\.json/);
    expect(output).not.toMatch(/[↑↓] \{|socket (open|close)|type: 'update'/);
    expect(made).toHaveLength(1);
    expect(made[0].source).toBe("preview");
    expect(made[0].note).toMatch(/a live-preview run registers no model/);
    expect(await models()).toBe(registered);
    writeFileSync(config, original);
    await Promise.all(pages.map((p) => p.close()));
  }, 300_000);

  it("shows a page scaffolded with mlbook new page with real data, and refreshes it when a run is recorded from another terminal", async () => {
    const made = await mlbook(dir, ["new", "page", "own_runs"], dir);
    expect(made.stderr).toBe("");
    expect(made.stdout).toContain("wrote docs/own_runs.md");
    expect(made.stdout).toContain("wrote docs/data/own_runs.json.js");
    const {page, log} = await openPage();
    await page.goto(`${dev.url}/own_runs.html`);
    // The running preview re-read the site config: the sidebar lists the new page.
    await page.locator('#observablehq-sidebar a[href$="own_runs.html"]').waitFor({timeout: 30_000});
    const summary = page.locator("p.runs-summary");
    const shownRuns = async () =>
      Number(
        /^(\d+) runs? of penguins/.exec(
          (await summary.textContent({timeout: 1_000}).catch(() => "")) ?? ""
        )?.[1] ?? NaN
      );
    await until(async () => !Number.isNaN(await shownRuns()), 120_000, "the page to show its runs");
    // Real data: the pipeline's runs as tracking lists them (making the page's data ran the
    // pipeline once if nothing had), a chart each with marks, the test rows.
    const runs = () =>
      mlbook(dir, ["runs", "--json"], dir).then((r) => (JSON.parse(r.stdout) as {id: string}[]).length);
    const before = await runs();
    expect(before).toBeGreaterThan(0);
    expect(await summary.textContent()).toMatch(
      new RegExp(`^${before} runs? of penguins recorded, the newest \\S+\\.$`)
    );
    const charts = page.locator(".chart");
    expect(await charts.count()).toBe(2);
    // A mark per run and per test row (a single run's line is a point of no size: attached, not visible).
    for (let i = 0; i < 2; ++i)
      await charts.nth(i).locator("svg .role-mark > *").first().waitFor({state: "attached", timeout: 10_000});
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);

    // A run recorded from another terminal (no page or config changed): the open page refreshes.
    const mark = dev.output().length;
    const t0 = Date.now();
    expect((await mlbook(dir, ["run", "model.params.C=0.61"], dir)).status).toBe(0);
    await until(
      async () => (await shownRuns()) === before + 1,
      60_000,
      "the open page to show the new run"
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the server said:\n${dev.output().slice(mark)}`);
    });
    console.log(`live preview, own page: new run shown ${Date.now() - t0} ms after mlbook run started`);
    expect(dev.output().slice(mark)).toMatch(
      /mlbook: loader data\/own_runs\.json stale \(the runs of penguins changed\)/
    );
    await page.screenshot({path: join(screenshots, "dev-own-page.png"), fullPage: true});
    expect(log.consoleErrors).toEqual([]);
    await page.close();
  }, 240_000);
});
