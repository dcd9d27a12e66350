// The monitoring examples (README: "Monitor a model"), run with `npm run example:monitor`:
// - flights: train on January–April 2001, then monitor May and June as two batches, as a
//   scheduled job would when each month's flights (and, later, whether they left late) come in;
// - cars: a batch of more powerful, heavier cars than the model was trained on.
import {spawnSync} from "node:child_process";
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {DuckDBInstance} from "@duckdb/node-api";

const source = "node_modules/vega-datasets/data/flights-3m.parquet";
const config = "pipelines/flights.yaml";
function mlbook(...args) {
  console.log(`\n$ mlbook ${args.join(" ")}`);
  const result = spawnSync(process.execPath, ["bin/mlbook.js", ...args], {stdio: "inherit"});
  // Exit 3 is monitoring's answer "this batch drifted", not a failure of the example.
  if (result.status !== 0 && result.status !== 3) process.exit(result.status ?? 1);
  return result.status;
}

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

// cars: every other car, then the same cars with 50% more horsepower and 30% more weight.
const cars = JSON.parse(readFileSync("node_modules/vega-datasets/data/cars.json", "utf8"));
const heavier = cars
  .filter((_, i) => i % 2 === 0)
  .map((c) => ({
    ...c,
    Horsepower: c.Horsepower === null ? null : c.Horsepower * 1.5,
    Weight_in_lbs: c.Weight_in_lbs === null ? null : c.Weight_in_lbs * 1.3
  }));
writeFileSync("batches/cars-heavier.json", JSON.stringify(heavier));
mlbook("run", "--config", "pipelines/cars.yaml");
mlbook(
  "monitor",
  "model",
  "batches/cars-heavier.json",
  "--labels",
  "Miles_per_Gallon",
  "--config",
  "pipelines/cars.yaml"
);
