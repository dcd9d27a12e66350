import {createReadStream, existsSync, statSync} from "node:fs";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {extname, join, normalize, resolve, sep} from "node:path";
import {MlbookError} from "../pipeline/errors.ts";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv; charset=utf-8",
  ".parquet": "application/vnd.apache.parquet",
  ".arrow": "application/vnd.apache.arrow.file",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2"
};

/** `mlbook serve`: a plain static file server for the built report, on localhost only. */
export async function serveCommand(options: {port: string; dir: string}): Promise<void> {
  const root = resolve(options.dir);
  if (!existsSync(join(root, "index.html"))) {
    throw new MlbookError(`serve: ${options.dir}/index.html does not exist (run npm run build first)`);
  }
  const server = await startStaticServer(root, Number(options.port));
  const {port} = server.address() as AddressInfo;
  console.log(`serving ${options.dir}/ at http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
}

/** Serves `root` on 127.0.0.1 (port 0 picks a free one); `/x` also finds `x.html`. */
export async function startStaticServer(root: string, port = 0): Promise<Server> {
  const server = createServer((request, response) => {
    let path: string;
    try {
      // A malformed request target or escape (`/%`) is the client's error, never the server's end.
      path = normalize(
        join(root, decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname))
      );
      if (path.includes("\0")) throw new URIError("NUL in path");
    } catch {
      response.writeHead(400, {"content-type": "text/plain"}).end("bad request: malformed URL");
      return;
    }
    if (path !== root && !path.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    else if (!existsSync(path) && existsSync(`${path}.html`)) path = `${path}.html`;
    if (!existsSync(path)) {
      response.writeHead(404, {"content-type": "text/plain"}).end("not found");
      return;
    }
    response.writeHead(200, {"content-type": types[extname(path)] ?? "application/octet-stream"});
    createReadStream(path)
      .on("error", () => response.destroy())
      .pipe(response);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolveListen());
  });
  return server;
}
