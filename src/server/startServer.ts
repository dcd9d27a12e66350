import {serve, type ServerType} from "@hono/node-server";
import type {AddressInfo} from "node:net";
import {createModelApp, type ModelAppOptions, type ServedModel} from "./modelApp.ts";

export interface StartOptions extends ModelAppOptions {
  /** Default 127.0.0.1: the model is reachable from this machine only unless told otherwise. */
  host?: string;
  /** Default 5000 (MLflow's); 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops taking connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/**
 * Serves a model's scoring API (createModelApp) over HTTP. A request the HTTP parser cannot read
 * (a malformed request line, bad headers) gets 400 and its connection closed; nothing a client
 * sends stops the server.
 */
export function startServer(served: () => ServedModel, options: StartOptions): Promise<RunningServer> {
  const app = createModelApp(served, options);
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    const server: ServerType = serve(
      {fetch: app.fetch, hostname: host, port: options.port ?? 5000},
      (info: AddressInfo) => {
        server.off("error", onError);
        const shown = host.includes(":") ? `[${host}]` : host;
        resolve({
          url: `http://${shown}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              // Connections kept alive would hold close() open: each is closed once it is idle
              // (a request in flight finishes first).
              const idle = server as unknown as {closeIdleConnections(): void};
              const timer = setInterval(() => idle.closeIdleConnections(), 20);
              server.close(() => {
                clearInterval(timer);
                done();
              });
              idle.closeIdleConnections();
            })
        });
      }
    );
    server.once("error", onError);
    server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable && error.code !== "ECONNRESET")
        socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      else socket.destroy();
    });
  });
}
