import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {openDb, type Db} from "../../src/pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../../src/pipeline/engine/sql.ts";
import type {PredictionRow} from "../../src/pipeline/score/model.ts";
import {copyOfRepo, mlbook, repoRoot} from "../helpers/project.ts";
import {invoke, serveModel} from "../helpers/server.ts";

interface JsonRun {
  steps: {name: string; key: string}[];
}

/**
 * Each example pipeline, trained on its own data with a row id added (and left out of the
 * features): its raw test rows — as the data file has them, before any step — are scored with
 * `mlbook predict`, and must get the evaluate step's predictions to the bit. Training and serving
 * run the same steps, so they cannot drift apart.
 */
const pipelines = [
  {config: "mlbook.yaml", data: "node_modules/vega-datasets/data/penguins.json", exclude: []},
  {config: "pipelines/cars.yaml", data: "node_modules/vega-datasets/data/cars.json", exclude: ["Name"]},
  {config: "pipelines/movies.yaml", data: "node_modules/vega-datasets/data/movies.json", exclude: null},
  // The first 200,000 flights: time split, windows over earlier flights from the bundle's state.
  {
    config: "pipelines/flights.yaml",
    data: "node_modules/vega-datasets/data/flights-3m.parquet",
    exclude: ["delay", "date"],
    rows: 200_000
  }
];

describe("no training/serving skew", () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = copyOfRepo({pipelines: true});
    db = await openDb();
  });

  for (const p of pipelines) {
    it(`${p.config}: mlbook predict on the raw test rows gives the evaluate step's predictions, bit for bit`, async () => {
      const name = p.config.replace(/^.*\//, "").replace(/\.yaml$/, "");
      const source = join(repoRoot, p.data);
      const parquet = p.data.endsWith(".parquet");
      const withId = join(dir, `${name}-rows.${parquet ? "parquet" : "json"}`);
      const reader = parquet
        ? `read_parquet(${quoteString(source)})`
        : `read_json_auto(${quoteString(source)})`;
      await db.run(
        `COPY (SELECT *, (row_number() OVER ()) AS rowid FROM ${reader}${p.rows ? ` LIMIT ${p.rows}` : ""})
         TO ${quoteString(withId)} ${parquet ? "(FORMAT parquet)" : "(FORMAT json, ARRAY true)"}`
      );
      const overrides = [`data.source=${withId}`];
      if (p.exclude) overrides.push(`features.exclude=[${[...p.exclude, "rowid"].join(",")}]`);
      const config = join(dir, p.config);
      const run = await mlbook(dir, ["run", "--json", "-c", config, ...overrides], dir);
      expect(run.stderr).not.toMatch(/^error/m);
      const steps = new Map((JSON.parse(run.stdout) as JsonRun).steps.map((s) => [s.name, s.key]));
      const store = join(config, "..", ".mlbook", "store");
      const test = join(store, "split", steps.get("split")!, "test.parquet");
      const evaluated = join(store, "evaluate", steps.get("evaluate")!, "predictions.parquet");

      // The raw rows of the test split, in its order, as the data file holds them.
      const input = join(dir, `${name}-test-input.parquet`);
      await db.run(
        `COPY (SELECT r.* FROM read_parquet(${quoteString(test)}, file_row_number = true) AS t
           JOIN ${parquet ? `read_parquet(${quoteString(withId)})` : `read_json_auto(${quoteString(withId)})`} AS r USING (rowid)
           ORDER BY t.file_row_number) TO ${quoteString(input)} (FORMAT parquet)`
      );
      const output = join(dir, `${name}-scored.parquet`);
      const model = join(store, "train", steps.get("train")!, "model.json");
      const scored = await mlbook(
        dir,
        ["predict", "-c", config, "-m", model, input, "-o", output, "--keep", "rowid"],
        dir
      );
      expect(scored.stderr).toMatch(/^wrote \d+ predictions/);
      expect(scored.status).toBe(0);

      // Every output column of evaluate's predictions but the actual value, compared exactly.
      const columns = (
        await db.rows<{column_name: string}>(`DESCRIBE SELECT * FROM read_parquet(${quoteString(evaluated)})`)
      )
        .map((c) => c.column_name)
        .filter((c) => c !== "actual");
      expect(columns[0]).toBe("prediction");
      const differs = columns
        .map((c) => `e.${quoteIdent(c)} IS DISTINCT FROM s.${quoteIdent(c)}`)
        .join(" OR ");
      const [{n, differ}] = await db.rows<{n: number; differ: number}>(
        `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE ${differs})::INTEGER AS differ
         FROM (SELECT *, row_number() OVER () AS i FROM read_parquet(${quoteString(evaluated)})) AS e
         JOIN (SELECT *, row_number() OVER () AS i FROM read_parquet(${quoteString(output)})) AS s USING (i)`
      );
      const [{rows}] = await db.rows<{rows: number}>(
        `SELECT count(*)::INTEGER AS rows FROM read_parquet(${quoteString(test)})`
      );
      expect(n).toBe(rows);
      expect(n).toBeGreaterThan(30);
      expect(differ).toBe(0);

      // The REST server, on the first rows as one request (in order: windows read earlier rows
      // of the request), answers the same numbers through JSON.
      const first = await db.rows<Record<string, unknown>>(
        `SELECT * FROM read_parquet(${quoteString(input)}) LIMIT 500`
      );
      const expected = await db.rows<Record<string, unknown>>(
        `SELECT * EXCLUDE (actual) FROM read_parquet(${quoteString(evaluated)}) LIMIT 500`
      );
      const server = await serveModel(dir, ["-c", config, model], dir);
      try {
        const columns = Object.keys(first[0]);
        const {status, json} = await invoke(server.url, {
          dataframe_split: {columns, data: first.map((r) => columns.map((c) => r[c]))}
        });
        expect(status).toBe(200);
        const served = (json.predictions as PredictionRow[]).map((r) => ({
          prediction: r.prediction,
          ...Object.fromEntries(Object.entries(r.probabilities ?? {}).map(([k, v]) => [`proba_${k}`, v]))
        }));
        expect(served).toEqual(expected);
      } finally {
        await server.stop();
      }
    }, 300_000);
  }
});
