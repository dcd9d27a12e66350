import type {AddressInfo} from "node:net";
import type {Server} from "node:http";
import {chromium, type Browser, type Page} from "playwright-core";
import {startStaticServer} from "../../src/cli/serve.ts";

/** Debian's Chromium (installed by .ci/run), started so it never reaches for the network itself. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run"
    ]
  });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(root: string): Promise<Served> {
  const server: Server = await startStaticServer(root, 0);
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  };
}

export interface PageLog {
  consoleErrors: string[];
  failedRequests: string[];
  offHostRequests: string[];
  bytes: number;
}

/** What a page that loaded cleanly logged: nothing but bytes. Compare with {@link problemsOf}. */
export const NO_PROBLEMS = {consoleErrors: [], failedRequests: [], offHostRequests: []};

/** A page log without its byte count: the problems it saw, to compare with {@link NO_PROBLEMS}. */
export function problemsOf({bytes: _bytes, ...problems}: PageLog): Omit<PageLog, "bytes"> {
  return problems;
}

/** Records console errors, failed requests, requests to any host but the test server, and bytes. */
export function watchPage(page: Page, origin: string): PageLog {
  const log: PageLog = {consoleErrors: [], failedRequests: [], offHostRequests: [], bytes: 0};
  page.on("console", (message) => {
    if (message.type() === "error") log.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => log.consoleErrors.push(error.message));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"))
      log.offHostRequests.push(url);
  });
  page.on("requestfailed", (request) =>
    log.failedRequests.push(`${request.url()} ${request.failure()?.errorText}`)
  );
  page.on("response", async (response) => {
    if (response.status() >= 400) log.failedRequests.push(`${response.url()} ${response.status()}`);
    const body = await response.body().catch(() => undefined);
    if (body) log.bytes += body.length;
  });
  return log;
}
