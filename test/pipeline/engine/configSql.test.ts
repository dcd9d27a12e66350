import {createHash} from "node:crypto";
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {openDb} from "../../../src/pipeline/engine/db.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import {MlbookError} from "../../../src/pipeline/errors.ts";
import {mlbook, tinyCsv} from "../../helpers/project.ts";

/**
 * Config SQL is an expression language, not a shell: each attack a config could carry is refused
 * with an error naming its key and exit code 2, and writes or reads no file outside the data and
 * the store. Besides the shape checks, the run's database itself cannot reach other files.
 */
describe("SQL in a config", () => {
  const secret = join(mkdtempSync(join(tmpdir(), "mlbook-secret-")), "secret.txt");
  writeFileSync(secret, "the-secret-content\n");
  const sq = (path: string) => `'${path}'`;

  const project = (sections: string) => {
    const dir = mkdtempSync(join(tmpdir(), "mlbook-configsql-"));
    writeFileSync(join(dir, "data.csv"), tinyCsv(60));
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `name: sqltest\n${sections}\nsplit: {test_size: 0.25, seed: 7}\nmodel: {type: logistic_regression}\n`
    );
    return dir;
  };
  const dataSource = "data:\n  source: data.csv\n  target: label";
  const runIn = async (dir: string) => await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));

  /** Runs the config; returns the error (the run must fail) and what the store holds. */
  const refused = async (sections: string): Promise<{error: MlbookError; dir: string}> => {
    const dir = project(sections);
    const error = await runIn(dir).then(
      () => undefined,
      (e: unknown) => e
    );
    if (!(error instanceof MlbookError)) throw new Error(`expected an mlbook error, got ${String(error)}`);
    return {error, dir};
  };

  const attacks: [string, (out: string) => string, RegExp][] = [
    [
      "clean.filter closing its parentheses to add a COPY",
      (out) =>
        `${dataSource}\nclean:\n  filter: ${JSON.stringify(`true)) ; COPY (SELECT 'x') TO ${sq(out)} ; SELECT 1 WHERE ((true`)}`,
      /clean\.filter: expected one SQL expression/
    ],
    [
      "data.sql with a second statement",
      (out) =>
        `data:\n  tables: {d: data.csv}\n  sql: ${JSON.stringify(`SELECT * FROM d; COPY (SELECT 'x') TO ${sq(out)}`)}\n  target: label`,
      /data\.sql: expected one SELECT query/
    ],
    [
      "data.sql as a COPY",
      (out) =>
        `data:\n  tables: {d: data.csv}\n  sql: ${JSON.stringify(`COPY (SELECT * FROM d) TO ${sq(out)}`)}\n  target: label`,
      /data\.sql: expected one SELECT query, got a statement of another kind/
    ],
    [
      "clean.derive writing through a second column",
      (out) =>
        `${dataSource}\nclean:\n  derive:\n    z: ${JSON.stringify(`1) AS a, (SELECT count(*) FROM (COPY (SELECT 1) TO ${sq(out)}))`)}`,
      /clean\.derive\.z: expected one SQL expression/
    ]
  ];
  for (const [what, config, message] of attacks) {
    it(`refuses ${what}, naming the key, writing no file`, async () => {
      const out = join(mkdtempSync(join(tmpdir(), "mlbook-out-")), "written");
      const {error} = await refused(config(out));
      expect(error.message).toMatch(message);
      expect(error.exitCode).toBe(2);
      expect(existsSync(out)).toBe(false);
    }, 20_000);
  }

  it("refuses a data.columns type that injects a subquery, before anything runs", async () => {
    const type = `VARCHAR) AS "colour", TRY_CAST((SELECT content FROM read_text(${sq(secret)})) AS VARCHAR`;
    const {error, dir} = await refused(
      `data:\n  source: data.csv\n  target: label\n  columns: {colour: ${JSON.stringify(type)}}`
    );
    expect(error.message).toMatch(/invalid data\.columns\.colour: .*expected a DuckDB type name/);
    expect(error.exitCode).toBe(2);
    expect(existsSync(join(dir, ".mlbook", "store"))).toBe(false);
  }, 20_000);

  it("refuses a clean.columns cast that is not a type name", async () => {
    const {error} = await refused(
      `${dataSource}\nclean:\n  columns:\n    x1: {cast: "DOUBLE); SELECT 1; --"}`
    );
    expect(error.message).toMatch(/invalid clean\.columns\.x1\.cast: .*expected a DuckDB type name/);
  }, 20_000);

  for (const [what, sections] of [
    [
      "clean.derive",
      `${dataSource}\nclean:\n  derive:\n    h: "(SELECT content FROM read_text('${secret}'))"`
    ],
    [
      "data.sql",
      `data:\n  tables: {d: data.csv}\n  sql: "SELECT d.*, s.content FROM d, read_text('${secret}') AS s"\n  target: label`
    ],
    [
      "clean.filter",
      `${dataSource}\nclean:\n  filter: "x1 < (SELECT length(content) FROM read_text('${secret}'))"`
    ]
  ] as const) {
    it(`cannot read a local file from ${what}: refused naming the key and the file, nothing stored`, async () => {
      const {error, dir} = await refused(sections);
      expect(error.message).toContain(`${what}: cannot reach "${secret}"`);
      expect(error.message).toMatch(/reaches only the data files the config names and the store/);
      expect(error.exitCode).toBe(2);
      const store = join(dir, ".mlbook", "store");
      const stored = existsSync(store) ? readdirSync(store) : [];
      expect(stored).not.toContain("clean");
      for (const step of stored)
        for (const key of readdirSync(join(store, step)))
          for (const file of readdirSync(join(store, step, key)))
            expect(readFileSync(join(store, step, key, file)).includes("the-secret-content")).toBe(false);
    }, 20_000);
  }

  it("still runs expressions, queries and type names that are what they say", async () => {
    const dir = project(
      [
        "data:",
        "  tables: {d: data.csv}",
        "  sql: \"WITH t AS (SELECT * FROM d) SELECT *, 'x;y' AS note FROM t WHERE x2 > -10\"",
        "  target: label",
        '  columns: {x1: "DECIMAL(10, 3)"}',
        "clean:",
        "  columns:",
        '    x2: {cast: "DOUBLE PRECISION"}',
        "  derive:",
        '    ratio: "CASE WHEN x2 = 0 THEN NULL ELSE x1 / x2 END"',
        "    has_semicolon: \"position(';' IN note) > 0\"",
        '  filter: "x2 IS NOT NULL AND (SELECT 1) > 0"'
      ].join("\n")
    );
    const result = await runIn(dir);
    expect(result.steps.find((s) => s.name === "clean")?.status).toBe("ran");
  }, 30_000);
});

describe("SQL in a model bundle", () => {
  it("predict refuses a bundle whose SQL reaches for a file (checksum made to match)", async () => {
    const secret = join(mkdtempSync(join(tmpdir(), "mlbook-secret-")), "secret.txt");
    writeFileSync(secret, "1\n");
    const dir = mkdtempSync(join(tmpdir(), "mlbook-bundlesql-"));
    writeFileSync(join(dir, "data.csv"), tinyCsv(60));
    writeFileSync(
      join(dir, "mlbook.yaml"),
      `name: b\ndata: {source: data.csv, target: label}\nclean: {filter: "x2 > -100"}\nmodel: {type: logistic_regression}\n`
    );
    expect((await mlbook(dir, ["run"])).status).toBe(0);
    expect((await mlbook(dir, ["export", "model", "ex"])).status).toBe(0);
    // An attacker who hands over a bundle writes its manifest too: the checksum matches.
    const bundle = join(dir, "ex", "model.json");
    const text = readFileSync(bundle, "utf8");
    expect(text).toContain('"expr":"(x2 > -100)"');
    const hostile = text.replace(
      '"expr":"(x2 > -100)"',
      JSON.stringify({expr: `(x2 > (SELECT -100 - count(*) FROM read_text('${secret}')))`}).slice(1, -1)
    );
    writeFileSync(bundle, hostile);
    const manifest = {
      files: {
        "model.json": {sha256: createHash("sha256").update(hostile).digest("hex"), bytes: hostile.length}
      }
    };
    writeFileSync(join(dir, "ex", "manifest.json"), JSON.stringify(manifest));
    const predict = await mlbook(dir, ["predict", "-m", bundle, "data.csv", "-o", "out.csv"]);
    expect(predict.stderr).toContain(`reaches for the file "${secret}", which scoring never allows`);
    expect(predict.status).toBe(1);
    expect(existsSync(join(dir, "out.csv"))).toBe(false);
  }, 60_000);
});

describe("a database opened with FileAccess", () => {
  it("reaches only its folders and files, and cannot be given back more", async () => {
    const allowed = mkdtempSync(join(tmpdir(), "mlbook-allowed-"));
    const other = mkdtempSync(join(tmpdir(), "mlbook-other-"));
    const data = join(other, "data.csv");
    writeFileSync(data, "a,b\n1,2\n");
    writeFileSync(join(other, "private.csv"), "a\n1\n");
    const db = await openDb({directories: [allowed], files: [data]});
    try {
      expect(await db.rows(`SELECT * FROM read_csv('${data}')`)).toHaveLength(1);
      await db.run(`COPY (SELECT 1 AS x) TO '${join(allowed, "ok.parquet")}'`);
      expect(existsSync(join(allowed, "ok.parquet"))).toBe(true);
      const denied = [
        `SELECT * FROM read_csv('${join(other, "private.csv")}')`,
        `COPY (SELECT 1) TO '${join(other, "out.csv")}'`,
        `COPY (SELECT 1) TO '${allowed}2/out.csv'`,
        `ATTACH '${join(other, "x.duckdb")}'`,
        "SET enable_external_access = true",
        `SET allowed_directories = ['/']`,
        "SET lock_configuration = false"
      ];
      for (const sql of denied) await expect(db.run(sql), sql).rejects.toThrow(/Permission|Cannot|lock/i);
      expect(existsSync(join(other, "out.csv"))).toBe(false);
      expect(existsSync(`${allowed}2`)).toBe(false);
    } finally {
      db.close();
    }
  });
});
