import {spawn, type ChildProcess} from "node:child_process";
import {join} from "node:path";
import {repoRoot} from "./project.ts";

export interface RunningServer {
  child: ChildProcess;
  /** The URL the server said it serves at. */
  url: string;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM (to its process group, when started as one), then its exit: the code and what it printed. */
  stop(): Promise<{status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>;
}

/**
 * Starts a command that serves a model (`mlbook serve-model`, an export's `npm start`) and waits
 * for its "serving … at URL" line; fails with what it printed when it exits first or takes over
 * `timeoutMs`.
 */
export function startServing(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
  {timeoutMs = 60_000, group = false}: {timeoutMs?: number; group?: boolean} = {}
): Promise<RunningServer> {
  // A group: `npm start` runs the server under a shell, which a signal to npm alone would orphan.
  const child = spawn(command, args, {
    cwd,
    env: {...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env},
    stdio: ["ignore", "pipe", "pipe"],
    detached: group
  });
  const kill = (signal: NodeJS.Signals) => (group ? process.kill(-child.pid!, signal) : child.kill(signal));
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  // "close", not "exit": under `npm start` the server is npm's grandchild, and what it prints on
  // its way out (after npm itself exited) is only all read once every holder of the pipes is gone.
  const exited = new Promise<{status: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.on("close", (status, signal) => resolve({status, signal}))
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill("SIGKILL");
      reject(new Error(`no "serving … at" line in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const look = () => {
      const m = /serving \S+ at (http:\/\/\S+)/.exec(stderr);
      if (!m) return;
      clearTimeout(timer);
      child.stderr.off("data", look);
      resolve({
        child,
        url: m[1],
        stdout: () => stdout,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) kill("SIGTERM");
          return {...(await exited), stdout, stderr};
        }
      });
    };
    child.stderr.on("data", look);
    void exited.then(({status}) => {
      clearTimeout(timer);
      reject(new Error(`exited (${status}) before serving:\n${stderr}`));
    });
  });
}

/** `mlbook serve-model MODEL --port 0 …` of this repo (or `project`), run in `cwd`. */
export function serveModel(cwd: string, args: string[], project = repoRoot): Promise<RunningServer> {
  return startServing(cwd, process.execPath, [
    join(project, "bin", "mlbook.js"),
    "serve-model",
    "--port",
    "0",
    ...args
  ]);
}

/** POSTs a JSON body to `/invocations`: the status and the parsed answer. */
export async function invoke(
  url: string,
  body: unknown,
  contentType = "application/json"
): Promise<{status: number; json: Record<string, unknown>}> {
  const res = await fetch(`${url}/invocations`, {
    method: "POST",
    headers: {"content-type": contentType},
    body: typeof body === "string" ? body : JSON.stringify(body)
  });
  return {status: res.status, json: (await res.json()) as Record<string, unknown>};
}
