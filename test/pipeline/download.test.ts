import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {TransientError} from "../../src/pipeline/errors.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {withRetries} from "../../src/pipeline/engine/execute.ts";
import {tinyConfig, tinyCsv, tinyProject} from "../helpers/project.ts";

describe("withRetries", () => {
  it("retries a transient failure with exponential backoff, then succeeds", async () => {
    const delays: number[] = [];
    let calls = 0;
    const attempts = {count: 0};
    const value = await withRetries(
      async () => {
        if (++calls < 3) throw new TransientError("busy");
        return "ok";
      },
      {attempts: 4, backoff: 0.01},
      (_attempt, delay) => delays.push(delay),
      attempts
    );
    expect(value).toBe("ok");
    expect(attempts.count).toBe(3);
    expect(delays).toEqual([0.01, 0.02]);
  });

  it("never retries bad input", async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw new Error("bad input");
        },
        {attempts: 5, backoff: 0.01},
        () => {}
      )
    ).rejects.toThrow("bad input");
    expect(calls).toBe(1);
  });

  it("gives up after the last attempt", async () => {
    let calls = 0;
    const fail = async () => {
      calls += 1;
      throw new TransientError("down");
    };
    await expect(withRetries(fail, {attempts: 3, backoff: 0}, () => {})).rejects.toThrow("down");
    expect(calls).toBe(3);
  });
});

describe("a URL data source", () => {
  let server: Server;
  let url: string;
  const hits: Record<string, number> = {};

  beforeAll(async () => {
    // /flaky.csv fails twice with 503 before serving; /missing.csv is a 404.
    server = createServer((request, response) => {
      const path = request.url ?? "";
      hits[path] = (hits[path] ?? 0) + 1;
      if (path === "/flaky.csv" && hits[path] <= 2) return void response.writeHead(503).end("busy");
      if (path === "/flaky.csv")
        return void response.writeHead(200, {"content-type": "text/csv"}).end(tinyCsv());
      response.writeHead(404).end("no");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is downloaded once into the store, retrying transient failures, and the run records the attempts", async () => {
    const dir = tinyProject();
    const config =
      tinyConfig.replace("source: data.csv", `source: ${url}/flaky.csv`) +
      "retries:\n  download: {attempts: 3, backoff: 0.01}\n";
    writeFileSync(join(dir, "mlbook.yaml"), config);
    const first = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    expect(first.steps[0]).toMatchObject({name: "download", status: "ran", attempts: 3});
    expect(first.steps[1]).toMatchObject({name: "ingest", rows: {data: 150}});
    expect(hits["/flaky.csv"]).toBe(3);
    const again = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    expect(again.steps.every((s) => s.status === "fresh")).toBe(true);
    expect(hits["/flaky.csv"]).toBe(3);
  });

  it("fails at once on a 404, without retrying", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "mlbook.yaml"),
      tinyConfig.replace("source: data.csv", `source: ${url}/missing.csv`)
    );
    await expect(runPipeline(await loadConfig(join(dir, "mlbook.yaml")))).rejects.toThrow(/404/);
    expect(hits["/missing.csv"]).toBe(1);
  });
});

describe("a SQL data source", () => {
  it("queries named files, and each file's content enters the key", async () => {
    const dir = tinyProject();
    writeFileSync(join(dir, "colours.csv"), "colour,warm\nred,1\ngreen,0\nblue,0\n");
    const config = tinyConfig.replace(
      "  source: data.csv\n",
      "  tables: {rows: data.csv, colours: colours.csv}\n  sql: SELECT r.*, c.warm FROM rows r JOIN colours c USING (colour)\n"
    );
    writeFileSync(join(dir, "mlbook.yaml"), config);
    const first = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    expect(first.steps[0]).toMatchObject({name: "ingest", rows: {data: 150}});
    writeFileSync(join(dir, "colours.csv"), "colour,warm\nred,1\ngreen,1\nblue,0\n");
    const second = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
    expect(second.steps[0]).toMatchObject({name: "ingest", status: "ran", reason: "data changed"});
  });
});
