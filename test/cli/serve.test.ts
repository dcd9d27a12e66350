import {mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import type {Server} from "node:http";
import {connect, type AddressInfo} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {startStaticServer} from "../../src/cli/serve.ts";
import {createRng} from "../../src/pipeline/ml/rng.ts";

/** `mlbook serve`'s static server, as a hostile client meets it. */
describe("mlbook serve", () => {
  let server: Server;
  let port: number;
  let outside: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-serve-"));
    const root = join(dir, "dist");
    mkdirSync(root);
    writeFileSync(join(root, "index.html"), "<p>report</p>");
    outside = "secret beside the report";
    writeFileSync(join(dir, "secret.txt"), outside);
    server = await startStaticServer(root, 0);
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends raw bytes, returns what came back before the server closed (or timed out). */
  const raw = (text: string | Buffer) =>
    new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let answer = "";
      const timer = setTimeout(() => (socket.destroy(), resolve(`${answer}<timeout>`)), 5000);
      socket.on("data", (d) => (answer += d.toString("latin1")));
      const done = () => (clearTimeout(timer), resolve(answer));
      socket.on("error", done);
      socket.on("close", done);
      socket.end(text);
    });

  const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 0);

  it("answers a malformed escape or request with 400 and keeps serving", async () => {
    for (const target of ["/%", "/%zz", "/%E0%A4%A", "/a%00b"])
      expect(
        status(await raw(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`)),
        target
      ).toBe(400);
    expect(status(await raw("HELLO\r\n\r\n"))).toBe(400);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect([res.status, await res.text()]).toEqual([200, "<p>report</p>"]);
  });

  it("never serves a file outside the report folder", async () => {
    for (const target of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt"
    ]) {
      const answer = await raw(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      expect(answer).not.toContain(outside);
      expect([400, 403, 404]).toContain(status(answer));
    }
  });

  it("survives 1,000 random request targets, methods and bodies (fuzz), never answering 5xx", async () => {
    const rng = createRng(11);
    const alphabet = "abc/.%%%0123456789ABCDEFz?#&=+;~ \u00e9\u0000\\";
    const pick = (n: number) => Array.from({length: n}, () => alphabet[rng.int(alphabet.length)]).join("");
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; ++i) {
      const method = ["GET", "POST", "HEAD", "PUT", "G\u00c9T"][rng.int(5)];
      const body = Buffer.from(Array.from({length: rng.int(64)}, () => rng.int(256)));
      const request = Buffer.concat([
        Buffer.from(
          `${method} /${pick(1 + rng.int(40))} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`,
          "latin1"
        ),
        body
      ]);
      const answer = await raw(request);
      expect(answer, `request ${i}`).not.toContain("<timeout>");
      const code = status(answer);
      // No answer at all is allowed only for a request line the HTTP parser drops outright.
      expect(code === 0 || (code >= 200 && code < 500), `request ${i}: ${answer.slice(0, 40)}`).toBe(true);
      statuses.set(code, (statuses.get(code) ?? 0) + 1);
    }
    // The fuzz reached the handler (404s, 400s), not only the parser.
    expect(statuses.get(404) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
    const res = await fetch(`http://127.0.0.1:${port}/index`);
    expect(res.status).toBe(200);
  });
});
