import {spawn, type ChildProcess} from "node:child_process";
import {join} from "node:path";
import {freePort} from "../../src/cli/devFront.ts";

/** Polls `condition` until it holds; fails with `what` after `timeout` ms. */
export async function until(condition: () => boolean | Promise<boolean>, timeout: number, what: string) {
  const t0 = Date.now();
  while (!(await condition())) {
    if (Date.now() - t0 > timeout) throw new Error(`waited ${timeout} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface Dev {
  child: ChildProcess;
  url: string;
  /** Everything the dev server (mlbook, Framework and the loaders it runs) printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `mlbook dev` in its own process group, so the test can end it with Framework and the loaders. */
export async function startDev(dir: string): Promise<Dev> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(dir, "bin", "mlbook.js"), "dev", "--port", String(port), "--no-open"],
    {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {...process.env, FORCE_COLOR: "0", NO_COLOR: "1", OBSERVABLE_TELEMETRY_DISABLE: "1"}
    }
  );
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const dev: Dev = {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // The group is gone already.
        }
      };
      group("SIGTERM");
      const killed = setTimeout(() => group("SIGKILL"), 5_000);
      await closed;
      clearTimeout(killed);
      group("SIGKILL"); // any loader still running in the group
    }
  };
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`mlbook dev exited early:\n${output}`);
        return fetch(`${dev.url}/`).then(
          (r) => r.ok,
          () => false
        );
      },
      120_000,
      "the preview server to answer"
    );
  } catch (error) {
    await dev.stop();
    throw error;
  }
  return dev;
}
