import {createServer, request, type Server} from "node:http";
import {connect, createServer as createNetServer, type AddressInfo} from "node:net";

/**
 * Whether a request target is one Framework's preview can take: it decodes the path with
 * decodeURI and a malformed escape (`/%`) throws out of its handler, ending the process.
 */
export function wellFormedTarget(target: string | undefined): boolean {
  try {
    const url = new URL(target ?? "/", "http://localhost");
    decodeURI(url.pathname);
    // NUL in a decoded path makes every file system call throw.
    return !decodeURIComponent(url.pathname).includes("\0");
  } catch {
    return false;
  }
}

/**
 * A front for Framework's preview (listening on 127.0.0.1:`inner`): it answers a malformed
 * request with 400 and passes everything else — requests and the live-reload WebSocket — through
 * untouched. Listens on 127.0.0.1:`port`, or from 3000 up to the first free port when none is given.
 */
export async function startDevFront(inner: number, port?: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (!wellFormedTarget(req.url)) {
      res.writeHead(400, {"content-type": "text/plain"}).end("bad request: malformed URL");
      return;
    }
    const upstream = request(
      {host: "127.0.0.1", port: inner, method: req.method, path: req.url, headers: req.headers},
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, {"content-type": "text/plain"});
      res.end("the preview server is not answering");
    });
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    if (!wellFormedTarget(req.url)) {
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = connect(inner, "127.0.0.1", () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  for (let p = port ?? 3000; ; ++p) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(p, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      return server;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (port !== undefined || code !== "EADDRINUSE" || p >= 49151) throw error;
    }
  }
}

/** A port on 127.0.0.1 nobody listens on right now (for the preview behind the front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const {port} = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
