import type {Model} from "../pipeline/score/model.ts";
import type {ServedModel} from "./modelApp.ts";
import {startServer, type StartOptions} from "./startServer.ts";

export interface ServeOptions extends Omit<StartOptions, "log"> {
  /** Looks for a newer model every `everyMs` (a moved alias): the one to swap in, else undefined. */
  reload?: {everyMs: number; next(current: ServedModel): Promise<ServedModel | undefined>};
}

/**
 * Serves a model (startServer) until SIGTERM or SIGINT, which stop taking connections and let
 * requests in flight finish before it resolves. Logs one JSON line per request on stdout, and
 * reloads when told (`reload`): requests then in flight finish on the model they started with.
 */
export async function serveUntilStopped(first: ServedModel, options: ServeOptions): Promise<void> {
  let current = first;
  const log = lineWriter(process.stdout);
  const server = await startServer(() => current, {...options, log});
  const shown = current.name ? `${current.name}:v${current.version}` : current.source;
  process.stderr.write(
    `serving ${shown} at ${server.url} (POST /invocations; GET /ping, /health, /version, /metadata)\n`
  );
  let timer: NodeJS.Timeout | undefined;
  // Set once a signal came: a reload check still awaiting then must not arm the next one, which
  // would keep the process alive after the server closed.
  let stopping = false;
  const {reload} = options;
  if (reload) {
    const look = async () => {
      const time = new Date().toISOString();
      try {
        const next = await reload.next(current);
        if (next && stopping) next.model.close();
        else if (next) {
          const previous = current;
          current = next;
          log(JSON.stringify({time, event: "reload", from: label(previous), to: label(next)}));
          setTimeout(() => previous.model.close(), 30_000).unref();
        }
      } catch (error) {
        log(JSON.stringify({time, event: "reload-failed", error: String(error)}));
      }
      if (!stopping) timer = setTimeout(look, reload.everyMs);
    };
    timer = setTimeout(look, reload.everyMs);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: finishing requests in flight, then stopping\n`);
      stopping = true;
      clearTimeout(timer);
      void server.close().then(() => {
        current.model.close();
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}

/**
 * Scores the model's input example before it takes requests: the first request pays no start-up,
 * and a model that cannot score (a module changed) fails here, not at a client.
 */
export async function warmModel(model: Model): Promise<Model> {
  if (model.bundle.example?.length)
    await model.predict(model.bundle.example).catch((error: unknown) => {
      model.close();
      throw error;
    });
  return model;
}

function label(s: ServedModel): string {
  return s.name ? `${s.name}:v${s.version}` : s.source;
}

/** Lines written together once per turn of the event loop: one write, not one per request. */
function lineWriter(out: NodeJS.WritableStream): (line: string) => void {
  let pending = "";
  return (line) => {
    if (!pending)
      setImmediate(() => {
        out.write(pending);
        pending = "";
      });
    pending += `${line}\n`;
  };
}
