import {mkdirSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchChromium, serve, watchPage, type Served} from "../helpers/browser.ts";
import {offlineProblems} from "../helpers/dist.ts";
import {copyOfRepo, mlbook, repoRoot} from "../helpers/project.ts";

const screenshots = join(repoRoot, "test-results", "screenshots");

describe("the static report site", () => {
  let dir: string;
  let build: Awaited<ReturnType<typeof mlbook>>;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    dir = copyOfRepo();
    build = await mlbook(dir, ["build"], dir);
    browser = await launchChromium();
    site = await serve(join(dir, "dist"));
    mkdirSync(screenshots, {recursive: true});
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("builds dist/index.html with no network", async () => {
    expect(build.stderr).not.toMatch(/error/i);
    expect(build.status).toBe(0);
    expect(readdirSync(join(dir, "dist"))).toContain("index.html");
  });

  it("leaves no bare import, CDN or Google Fonts URL, or local path in dist/", async () => {
    expect(offlineProblems(join(dir, "dist"), [dir, repoRoot])).toEqual([]);
  });

  it("shows the metrics that mlbook run reports for the same artifacts", async () => {
    const run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as {steps: {status: string}[]; metrics: Record<string, number>};
    expect(run.steps.every((s) => s.status === "fresh")).toBe(true);
    const files = readdirSync(join(dir, "dist", "_file", "data")).filter((f) => /^report\.[0-9a-f]+\.json$/.test(f));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(dir, "dist", "_file", "data", files[0]), "utf8")) as {headline: Record<string, number>};
    expect(report.headline).toEqual(run.metrics);
  });

  it("loads in Chromium from localhost, requesting nothing from any other host, and draws the confusion matrix", async () => {
    const page = await browser.newPage();
    const log = watchPage(page, site.url);
    await page.goto(`${site.url}/index.html`, {waitUntil: "networkidle"});
    await page.waitForSelector(".confusion-matrix svg g.mark-rect.role-mark path", {timeout: 20_000});
    const cells = await page.locator(".confusion-matrix svg g.mark-rect.role-mark path").count();
    expect(cells).toBe(9);
    const accuracy = await page.locator("table.metrics tr", {hasText: "accuracy"}).first().locator("td.num").textContent();
    const run = JSON.parse((await mlbook(dir, ["run", "--json"], dir)).stdout) as {metrics: Record<string, number>};
    expect(accuracy).toBe(run.metrics.accuracy.toFixed(4));
    await page.screenshot({path: join(screenshots, "index.png"), fullPage: true});
    expect(log.offHostRequests).toEqual([]);
    expect(log.failedRequests).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    await page.close();
  });
});
