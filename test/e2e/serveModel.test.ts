import {readFileSync} from "node:fs";
import {connect} from "node:net";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {resolveModelRef} from "../../src/cli/modelRef.ts";
import {loadModel, type Model, type PredictionRow} from "../../src/pipeline/score/model.ts";
import {createRng} from "../../src/pipeline/ml/rng.ts";
import {copyOfRepo, mlbook, repoRoot} from "../helpers/project.ts";
import {invoke, serveModel, type RunningServer} from "../helpers/server.ts";

/**
 * `mlbook serve-model` as a client meets it: the penguins model (two registered versions), served
 * on a free port of 127.0.0.1, spoken to over real HTTP.
 */
describe("the REST server (mlbook serve-model)", () => {
  let dir: string;
  let server: RunningServer;
  let model: Model;
  const rows = [
    {
      Island: "Torgersen",
      "Beak Length (mm)": 39.1,
      "Beak Depth (mm)": 18.7,
      "Flipper Length (mm)": 181,
      "Body Mass (g)": 3750,
      Sex: "MALE"
    },
    {
      Island: "Biscoe",
      "Beak Length (mm)": 46.5,
      "Beak Depth (mm)": 13.5,
      "Flipper Length (mm)": 210,
      "Body Mass (g)": 4550,
      Sex: "FEMALE"
    },
    {
      Island: "Dream",
      "Beak Length (mm)": 49.5,
      "Beak Depth (mm)": 19,
      "Flipper Length (mm)": 200,
      "Body Mass (g)": 3800,
      Sex: null
    }
  ];
  const columns = Object.keys(rows[0]);

  beforeAll(async () => {
    dir = copyOfRepo();
    for (const c of ["1.0", "0.5"]) {
      const run = await mlbook(dir, ["run", `model.params.C=${c}`], dir);
      expect(run.stderr).toMatch(/registered penguins-model v\d/);
    }
    const listed = JSON.parse((await mlbook(dir, ["models", "penguins-model", "--json"], dir)).stdout) as {
      version: number;
      artifact: string;
    }[];
    expect(listed.map((m) => m.version).sort()).toEqual([1, 2]);
    expect((await mlbook(dir, ["models", "alias", "penguins-model", "1", "champion"], dir)).status).toBe(0);
    server = await serveModel(
      dir,
      ["penguins-model@champion", "--max-body", "64kb", "--watch-alias", "--watch-interval", "0.2"],
      dir
    );
    // The same version in this process: what the server's answers must equal.
    model = await registered(dir, 1);
  }, 300_000);

  afterAll(async () => {
    model?.close();
    await server?.stop();
  });

  it("binds 127.0.0.1 and answers /ping, /health, /version and /metadata", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toEqual({status: "ok", model: "penguins-model", version: 1});
    const version = await (await fetch(`${server.url}/version`)).json();
    expect(version).toEqual({
      mlbook: JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version
    });
    const meta = (await (await fetch(`${server.url}/metadata`)).json()) as Record<string, unknown>;
    expect(meta.name).toBe("penguins-model");
    expect(meta.version).toBe(1);
    expect(meta.run).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(meta.classes).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    // The raw columns a client sends: not the step's beak_ratio, not the target.
    const inputs = (meta.signature as {inputs: {name: string; type: string}[]}).inputs;
    expect(inputs.map((c) => c.name).sort()).toEqual([...columns].sort());
    const example = meta.input_example as Record<string, unknown>[];
    expect(example.length).toBeGreaterThan(0);
    const scored = await invoke(server.url, {dataframe_records: example});
    expect(scored.status).toBe(200);
  });

  it("scores rows in every MLflow format and CSV, as the model does in process", async () => {
    const expected = JSON.parse(JSON.stringify(await model.predict(rows))) as PredictionRow[];
    expect(expected.map((p) => p.prediction)).toEqual(["Adelie", "Gentoo", "Chinstrap"]);
    const bodies: [unknown, string?][] = [
      [{dataframe_split: {columns, data: rows.map((r) => columns.map((c) => r[c as keyof typeof r]))}}],
      [{dataframe_records: rows}],
      [{instances: rows}],
      [{inputs: rows}],
      [{inputs: Object.fromEntries(columns.map((c) => [c, rows.map((r) => r[c as keyof typeof r])]))}],
      [
        `${columns.map((c) => JSON.stringify(c)).join(",")}\n${rows
          .map((r) => columns.map((c) => r[c as keyof typeof r] ?? "").join(","))
          .join("\n")}\n`,
        "text/csv"
      ]
    ];
    for (const [body, type] of bodies) {
      const {status, json} = await invoke(server.url, body, type);
      expect(status).toBe(200);
      expect(json.predictions).toEqual(expected);
    }
  });

  it("refuses bad requests with 400/404/405/413/415 naming what is wrong, and keeps serving", async () => {
    const {Sex: _, ...noSex} = rows[0];
    const cases: [unknown, number, RegExp, string?][] = [
      [{dataframe_records: [noSex]}, 400, /missing column "Sex"/],
      [
        {dataframe_records: [rows[0], {...rows[1], "Beak Length (mm)": "long"}]},
        400,
        /column "Beak Length \(mm\)", row 2: "long" is not a DOUBLE/
      ],
      [
        {dataframe_records: [{...rows[0], "Body Mass (g)": 4.5e3, "Beak Depth (mm)": "NaN"}]},
        400,
        /column "Beak Depth \(mm\)", row 1: NaN is not a number the model can score/
      ],
      [
        '{"dataframe_records": [{"Island": "Dream", "Beak Length (mm)": 1e999, "Beak Depth (mm)": 1, "Flipper Length (mm)": 1, "Body Mass (g)": 1, "Sex": null}]}',
        400,
        /column "Beak Length \(mm\)", row 1: Infinity is not a number/
      ],
      ["{bad", 400, /^the body is not JSON/],
      [{rows}, 400, /needs exactly one of dataframe_split/],
      [{dataframe_records: Array.from({length: 1000}, () => rows[0])}, 413, /larger than 65536 bytes/],
      [
        "a=1",
        415,
        /content type application\/x-www-form-urlencoded is not read/,
        "application/x-www-form-urlencoded"
      ]
    ];
    for (const [body, status, message, type] of cases) {
      const answer = await invoke(server.url, body, type);
      expect({status: answer.status, message: answer.json.message}).toEqual({
        status,
        message: expect.stringMatching(message)
      });
      // … and the next good request is answered.
      expect((await invoke(server.url, {dataframe_records: rows})).status).toBe(200);
    }
    const missing = await fetch(`${server.url}/predict`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as {message: string}).message).toMatch(/no such endpoint: GET \/predict/);
    expect((await fetch(`${server.url}/invocations`)).status).toBe(405);
  });

  it("survives malformed URLs, request lines and bodies (fuzz), answering each with a 4xx", async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
        let answer = "";
        socket.on("data", (d) => (answer += d.toString()));
        socket.on("error", () => resolve(answer));
        socket.on("close", () => resolve(answer));
        socket.end(text);
      });
    for (const line of [
      "GET /%zz%% HTTP/1.1\r\nhost: x\r\n\r\n",
      "GET /invocations?%E0%A4%A HTTP/1.1\r\nhost: x\r\n\r\n",
      'POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-type: application/json\r\n\r\n{"a":',
      "HELLO\r\n\r\n",
      "GET / HTTP/1.1\r\nbad header line\r\n\r\n",
      "POST /invocations HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"
    ]) {
      const answer = await raw(line);
      expect(answer === "" || /^HTTP\/1\.1 4\d\d /.test(answer)).toBe(true);
    }
    const rng = createRng(7);
    const bytes = (n: number) => Buffer.from(Array.from({length: n}, () => rng.int(256)));
    const statuses = new Set<number>();
    for (let i = 0; i < 150; ++i) {
      const kind = i % 3;
      const res = await fetch(`${server.url}/invocations`, {
        method: "POST",
        headers: {
          "content-type":
            kind === 0 ? "application/json" : kind === 1 ? "text/csv" : "application/octet-stream"
        },
        body:
          kind === 0
            ? JSON.stringify({
                dataframe_records: [{...rows[0], [columns[i % 6]]: bytes(8).toString("latin1")}]
              })
            : bytes(1 + (i % 97))
      });
      statuses.add(res.status);
      expect(res.status, `request ${i}`).toBeLessThan(500);
      await res.arrayBuffer();
    }
    expect([...statuses].every((s) => s === 200 || (s >= 400 && s < 500))).toBe(true);
    expect((await invoke(server.url, {dataframe_records: rows})).status).toBe(200);
  });

  it("logs one JSON line per request", async () => {
    await invoke(server.url, {dataframe_records: rows});
    await new Promise((r) => setTimeout(r, 50));
    const lines = server
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.filter((l) => l.path === "/invocations").at(-1)!;
    expect(last).toMatchObject({method: "POST", path: "/invocations", status: 200, rows: 3});
    expect(typeof last.ms).toBe("number");
    expect(lines.some((l) => l.status === 413)).toBe(true);
  });

  it("loads the new version when the alias moves (--watch-alias)", async () => {
    const before = await (await fetch(`${server.url}/health`)).json();
    expect(before).toMatchObject({version: 1});
    expect((await mlbook(dir, ["models", "alias", "penguins-model", "2", "champion"], dir)).status).toBe(0);
    let version = 1;
    for (let i = 0; i < 100 && version === 1; ++i) {
      await new Promise((r) => setTimeout(r, 100));
      version = ((await (await fetch(`${server.url}/health`)).json()) as {version: number}).version;
    }
    expect(version).toBe(2);
    expect(server.stdout()).toMatch(/"event":"reload","from":"penguins-model:v1","to":"penguins-model:v2"/);
    const v2 = await registered(dir, 2);
    try {
      const {json} = await invoke(server.url, {dataframe_records: rows});
      expect(json.predictions).toEqual(JSON.parse(JSON.stringify(await v2.predict(rows))));
    } finally {
      v2.close();
    }
  });

  it("finishes a request in flight on SIGTERM, then exits 0", async () => {
    // A request half sent when SIGTERM comes: the server waits for the rest and answers it.
    const body = JSON.stringify({dataframe_records: rows});
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    let answer = "";
    socket.on("data", (d) => (answer += d.toString()));
    const closed = new Promise((r) => socket.on("close", r));
    socket.write(
      `POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`
    );
    await new Promise((r) => setTimeout(r, 200));
    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.child.exitCode).toBeNull();
    socket.write(body.slice(20));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).predictions).toHaveLength(3);
    const exit = await stopped;
    expect(exit.status).toBe(0);
    expect(exit.stderr).toMatch(/SIGTERM: finishing requests in flight, then stopping/);
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
  });
});

/** Registered version `version` of penguins-model, loaded in this process. */
async function registered(dir: string, version: number): Promise<Model> {
  const found = await resolveModelRef(`penguins-model:v${version}`, join(dir, "mlbook.yaml"));
  return loadModel(found.file, {base: found.base});
}
