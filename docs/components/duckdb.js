// SQL in the page: DuckDB-WASM over Parquet files, every file bundled from node_modules (no CDN).
// Framework resolves the bare imports and `import.meta.resolve` below at build time and copies the
// .wasm files into the site. DuckDB-WASM reads Parquet through an extension it would download, so
// a file is decoded with parquet-wasm into Arrow and handed to DuckDB as a table.
import * as duckdb from "@duckdb/duckdb-wasm";
// The browser build: "parquet-wasm" alone is the Node one.
import initParquet, {readParquet} from "parquet-wasm/esm";

const duckdbWasm = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
const duckdbWorker = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");
const parquetWasm = import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");

let database;
let parquetReady;

/** The page's one DuckDB, started on first use. */
function db() {
  return (database ??= (async () => {
    // Framework bundles the worker script as an ES module: it must start as one.
    const worker = new Worker(duckdbWorker, {type: "module"});
    const failed = new Promise((_, reject) =>
      worker.addEventListener("error", (e) =>
        reject(new Error(`DuckDB's worker failed: ${e.message ?? "not loaded"}`))
      )
    );
    const instance = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
    await Promise.race([instance.instantiate(duckdbWasm), failed]);
    const c = await instance.connect();
    // Nothing is fetched from extensions.duckdb.org: the site works offline.
    await c.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false");
    await c.close();
    return instance;
  })());
}

/**
 * Loads Parquet files into the page's DuckDB as tables, by name: `{test: FileAttachment("…test.parquet").href}`
 * (an `.href`: handing Framework the attachment itself makes it add CDN imports of its own Parquet
 * reader). Resolves to `query(sql)`, giving plain row objects (64-bit integers as numbers when exact).
 */
export async function parquetTables(files) {
  const [instance] = await Promise.all([db(), (parquetReady ??= initParquet({module_or_path: parquetWasm}))]);
  const c = await instance.connect();
  try {
    for (const [name, url] of Object.entries(files)) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
      const ipc = readParquet(new Uint8Array(await response.arrayBuffer())).intoIPCStream();
      await c.query(`DROP TABLE IF EXISTS "${name.replaceAll('"', '""')}"`);
      await c.insertArrowFromIPCStream(ipc, {name, create: true});
    }
  } finally {
    await c.close();
  }
  return {
    async query(sql) {
      const q = await instance.connect();
      try {
        return (await q.query(sql)).toArray().map(plainRow);
      } finally {
        await q.close();
      }
    }
  };
}

function plainRow(row) {
  const out = row.toJSON();
  for (const [k, v] of Object.entries(out))
    if (typeof v === "bigint" && v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER)
      out[k] = Number(v);
  return out;
}
