// The REST server under load (`npm run bench -- serve`): autocannon against `mlbook serve-model`
// on loopback, single-row and 100-row requests at 16 connections, for the penguins model (logistic
// regression after a replayed workspace step) and the flights model (100-tree boosting, a window
// feature from the bundle's state; trained here on the first 200,000 flights). Beside each, the
// same rows scored in this process by loadModel().predict, one call after another. Targets
// (issue 14): single-row p99 ≤ 5 ms; 100-row requests ≥ 50% of in-process rows/s.
// The load generator shares the machine's cores with the server: its CPU is the server's loss.
import autocannon from "autocannon";
import {spawn} from "node:child_process";
import {cpSync, mkdtempSync, symlinkSync} from "node:fs";
import {availableParallelism, tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {resolveModelRef} from "../src/cli/modelRef.ts";
import {openDb} from "../src/pipeline/engine/db.ts";
import {quoteString} from "../src/pipeline/engine/sql.ts";
import {loadModel} from "../src/pipeline/score/model.ts";
import {measure} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;

const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-serve-"));
for (const name of ["bin", "src", "pipelines", "steps", "models", "mlbook.yaml", "package.json"])
  cpSync(join(repo, name), join(dir, name), {recursive: true, filter: (src) => !src.includes(".mlbook")});
symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));

const flights = join(dir, "flights-200k.parquet");
const db = await openDb();
await db.run(
  `COPY (SELECT * FROM read_parquet(${quoteString(join(repo, "node_modules/vega-datasets/data/flights-3m.parquet"))}) LIMIT 200000)
   TO ${quoteString(flights)} (FORMAT parquet)`
);

const cases = [
  {name: "penguins", config: "mlbook.yaml", ref: "penguins-model@latest", overrides: [] as string[]},
  {name: "flights", config: "pipelines/flights.yaml", ref: "model", overrides: [`data.source=${flights}`]}
];
const table: string[][] = [
  ["", "rows/req", "p50 ms", "p99 ms", "req/s", "rows/s", "in-process rows/s", "server/in-process"]
];
for (const c of cases) {
  const config = join(dir, c.config);
  const trained = measure(process.execPath, ["bin/mlbook.js", "run", "-c", config, ...c.overrides], {
    cwd: dir
  });
  if (trained.status !== 0) throw new Error(trained.stderr);
  const ref = await resolveModelRef(c.ref, config);
  const model = await loadModel(ref.file, {base: ref.base});
  // Rows as a client has them: raw columns of the data the pipeline read (the signature's).
  const source = c.name === "flights" ? `read_parquet(${quoteString(flights)})` : null;
  const raw: Record<string, unknown>[] = source
    ? await db.rows(
        `SELECT ${model.bundle.signature.map((s) => `"${s.name}"`).join(", ")} FROM ${source} ORDER BY date DESC LIMIT 100`
      )
    : Array.from({length: 100}, (_, i) => model.bundle.example![i % model.bundle.example!.length]);

  const server = spawn(
    process.execPath,
    ["bin/mlbook.js", "serve-model", "-c", config, c.ref, "--port", "0"],
    {
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"]
    }
  );
  const url = await new Promise<string>((ok, fail) => {
    let err = "";
    server.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /serving \S+ at (http:\/\/\S+)/.exec(err);
      if (m) ok(m[1]);
    });
    server.on("exit", () => fail(new Error(err)));
  });
  for (const size of [1, 100]) {
    process.stderr.write(`${c.name}: ${size} row(s) a request…\n`);
    const rows = raw.slice(0, size);
    const body = JSON.stringify({dataframe_records: rows});
    // In process: the same rows, one predict call after another, for as long.
    await model.predict(rows);
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 500) {
      await model.predict(rows);
      calls += 1;
    }
    const inProcess = (calls * size) / ((performance.now() - t0) / 1000);
    const result = await autocannon({
      url: `${url}/invocations`,
      method: "POST",
      headers: {"content-type": "application/json"},
      body,
      connections: CONNECTIONS,
      duration: SECONDS
    });
    if (result.non2xx || result.errors)
      throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
    const rate = result.requests.average * size;
    table.push([
      `${c.name} (${model.bundle.estimator.type})`,
      String(size),
      result.latency.p50.toFixed(1),
      result.latency.p99.toFixed(1),
      Math.round(result.requests.average).toLocaleString("en-US"),
      Math.round(rate).toLocaleString("en-US"),
      Math.round(inProcess).toLocaleString("en-US"),
      `${((100 * rate) / inProcess).toFixed(0)}%`
    ]);
  }
  server.kill("SIGTERM");
  model.close();
}
db.close();
console.log(
  `serve-model on loopback: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per row; ${availableParallelism()} cores shared by server and load generator`
);
for (const r of table) console.log(r.map((v, i) => (i ? v.padStart(12) : v.padEnd(36))).join(""));
console.log("targets: single-row p99 ≤ 5 ms; 100-row requests ≥ 50% of in-process rows/s");
console.log(
  "MLflow: not run — `mlflow models serve` installs from PyPI, which this machine cannot reach (Debian has no mlflow package)"
);
