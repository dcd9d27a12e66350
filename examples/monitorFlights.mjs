// The monitoring example (README: "Monitor a model"): train the flights model on January–April
// 2001, then monitor May and June as two batches, as a scheduled job would when each month's
// flights (and, later, whether they left late) come in. Run with `npm run example:monitor`.
import {spawnSync} from "node:child_process";
import {mkdirSync} from "node:fs";
import {DuckDBInstance} from "@duckdb/node-api";

const source = "node_modules/vega-datasets/data/flights-3m.parquet";
const config = "pipelines/flights.yaml";
const mlbook = (...args) => {
  console.log(`\n$ mlbook ${args.join(" ")}`);
  const result = spawnSync(process.execPath, ["bin/mlbook.js", ...args], {stdio: "inherit"});
  // Exit 3 is monitoring's answer "this batch drifted", not a failure of the example.
  if (result.status !== 0 && result.status !== 3) process.exit(result.status ?? 1);
  return result.status;
};

// 1. Each month's flights as the file a production system would hand over, with the late label.
mkdirSync("batches", {recursive: true});
const db = await (await DuckDBInstance.create()).connect();
for (const month of [5, 6]) {
  const file = `batches/flights-2001-0${month}.parquet`;
  await db.run(
    `COPY (SELECT *, CASE WHEN delay > 15 THEN 'yes' ELSE 'no' END AS late
           FROM read_parquet('${source}') WHERE month(date) = ${month} ORDER BY date)
     TO '${file}' (FORMAT parquet)`
  );
  console.log(`wrote ${file}`);
}
db.closeSync();

// 2. The model as it stood at the end of April.
mlbook("run", "--config", config, "clean.filter='month(date) <= 4'");
// 3. May and June, each against the training rows.
mlbook(
  "monitor",
  "model",
  "batches/flights-2001-05.parquet",
  "--labels",
  "late",
  "--at",
  "2001-05-31",
  "--config",
  config
);
mlbook(
  "monitor",
  "model",
  "batches/flights-2001-06.parquet",
  "--labels",
  "late",
  "--at",
  "2001-06-30",
  "--config",
  config
);
mlbook("monitor", "model", "--history", "--config", config);
