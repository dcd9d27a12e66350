import type {HttpBindings} from "@hono/node-server";
import {Hono, type Context} from "hono";
import {MlbookError} from "../pipeline/errors.ts";
import type {Model} from "../pipeline/score/model.ts";
import {parseInvocation} from "./parseInvocation.ts";
import {RequestError} from "./requestError.ts";

/** What the server tells of the model it serves (GET /metadata), besides the bundle's own. */
export interface ServedModel {
  model: Model;
  /** The registered name and version, when it came from the registry. */
  name?: string;
  version?: number;
  /** The run that trained it. */
  run?: string;
  /** Where it was loaded from (a bundle file). */
  source: string;
}

export interface ModelAppOptions {
  /** The largest body read, in bytes (default 16 MiB): larger ones get 413. */
  maxBody?: number;
  /** mlbook's version, for GET /version. */
  version: string;
  /** One line per request (JSON): method, path, status, rows, milliseconds. */
  log?: (line: string) => void;
}

/** Rows a request carries, told to the request log by /invocations; the Node request, when served by Node. */
type Env = {Variables: {rows: number}; Bindings: Partial<HttpBindings>};

/**
 * The scoring API of one model, MLflow's protocol: `POST /invocations` takes rows in any of its
 * formats (parseInvocation) and answers `{"predictions": [...]}`, one object per row; `GET /ping`
 * and `/health` say it is up, `/version` which mlbook, `/metadata` the model's raw-input signature,
 * input example, version and training run. `served()` is asked at each request, so the model can be
 * swapped (a moved alias) without a restart. Refusals are JSON `{"error_code", "message"}` with
 * 400 (bad rows: the column and row), 404, 405, 413 (body too large) or 415.
 */
export function createModelApp(served: () => ServedModel, options: ModelAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  const maxBody = options.maxBody ?? 16 * 1024 * 1024;

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    options.log?.(
      JSON.stringify({
        time: new Date().toISOString(),
        method: c.req.method,
        path: safePath(c.req.url),
        status: c.res.status,
        rows: c.get("rows") ?? 0,
        ms: Math.round((performance.now() - started) * 100) / 100
      })
    );
  });

  app.get("/ping", (c) => c.text("\n"));
  app.get("/health", (c) => {
    const s = served();
    return c.json({status: "ok", model: s.name ?? s.source, version: s.version ?? null});
  });
  app.get("/version", (c) => c.json({mlbook: options.version}));
  app.get("/metadata", (c) => c.json(metadata(served())));

  app.post("/invocations", async (c) => {
    const rows = parseInvocation(c.req.header("content-type"), await readBody(c, maxBody));
    c.set("rows", rows.length);
    const predictions = await served().model.predict(rows);
    return c.json({predictions});
  });
  app.all("/invocations", () => {
    throw new RequestError(405, "/invocations takes POST");
  });

  app.notFound((c) =>
    c.json(
      {
        error_code: "ENDPOINT_NOT_FOUND",
        message: `no such endpoint: ${c.req.method} ${safePath(c.req.url)} (POST /invocations, GET /ping, /health, /version, /metadata)`
      },
      404
    )
  );
  app.onError((error, c) => {
    if (error instanceof RequestError)
      return c.json({error_code: codeOf(error.status), message: error.message}, error.status);
    // A row the model cannot score (missing column, value of the wrong type) is the client's.
    if (error instanceof MlbookError) return c.json({error_code: "BAD_REQUEST", message: error.message}, 400);
    options.log?.(JSON.stringify({time: new Date().toISOString(), error: String(error?.stack ?? error)}));
    return c.json({error_code: "INTERNAL_ERROR", message: "the server failed to score the rows"}, 500);
  });
  return app;
}

/**
 * The request body as text, refused (413) past `max` bytes: by its Content-Length before reading,
 * else as it streams in. Read from Node's request itself when there is one (Hono's body-limit
 * middleware would build a whole web Request per call).
 */
async function readBody(c: Context<Env>, max: number): Promise<string> {
  const tooLarge = () =>
    new RequestError(413, `the body is larger than ${max} bytes (the server's --max-body)`);
  const declared = Number(c.req.header("content-length") ?? NaN);
  if (declared > max) throw tooLarge();
  const incoming = c.env?.incoming;
  if (!incoming) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > max) throw tooLarge();
    return text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      // Read no more of it: the reply closes the connection.
      c.header("connection", "close");
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** What GET /metadata answers: enough to call the model and to trace where it came from. */
export function metadata(s: ServedModel) {
  const b = s.model.bundle;
  return {
    name: s.name ?? null,
    version: s.version ?? null,
    run: s.run ?? null,
    source: s.source,
    task: b.task,
    target: b.target,
    classes: b.task === "classification" ? b.classes : undefined,
    model: b.estimator.type,
    signature: {inputs: b.signature.map((c) => ({name: c.name, type: c.type}))},
    input_example: b.example ?? null
  };
}

function codeOf(status: number): string {
  if (status === 413) return "REQUEST_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (status === 404) return "ENDPOINT_NOT_FOUND";
  return "BAD_REQUEST";
}

/** A request's path for logs and messages, whatever its URL holds. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname.slice(0, 200);
  } catch {
    return "(malformed)";
  }
}
