import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {CheckReport, DriftResult, Expectation} from "../../../src/pipeline/steps/checks/report.ts";
import {openDb, type Db} from "../../../src/pipeline/engine/db.ts";
import {CheckFailedError, MlbookError} from "../../../src/pipeline/errors.ts";
import {chiSquareTwoSample} from "../../../src/pipeline/ml/stats/chiSquare.ts";
import {ksTwoSample} from "../../../src/pipeline/ml/stats/ksTwoSample.ts";
import {check} from "../../../src/pipeline/steps/check.ts";
import {checkParams} from "../../../src/pipeline/steps/checks/rules.ts";
import {stepContext} from "../../helpers/stepContext.ts";

const drift = JSON.parse(readFileSync(new URL("../../fixtures/sklearn/drift.json", import.meta.url), "utf8"));

let db: Db;
let dir: string;
const logged: string[] = [];

/** Runs the step on `relation` with raw params, as the runner would after parsing the config. */
async function runCheck(params: unknown, relation = "birds"): Promise<CheckReport> {
  const out = await check.run(
    {data: relation},
    checkParams.parse(params),
    stepContext(db, (m) => logged.push(m))
  );
  return out.report as CheckReport;
}

function find(report: CheckReport, id: string): Expectation {
  const e = report.expectations.find((x) => x.id === id);
  if (!e) throw new Error(`no expectation ${id} in ${report.expectations.map((x) => x.id).join(", ")}`);
  return e;
}

/** Runs a check whose failures are all warnings, so the report comes back either way. */
const warn = (columns: unknown, table: unknown = {}) => runCheck({severity: "warn", columns, table});

/** A reference file written by DuckDB from a query, in the given format. */
async function reference(name: string, sql: string): Promise<string> {
  const path = join(dir, name);
  const format = name.endsWith(".parquet") ? "(FORMAT parquet)" : "(HEADER)";
  await db.run(`COPY (${sql}) TO '${path}' ${format}`);
  return path;
}

const doubles = (values: number[]) => `unnest([${values.map((v) => `'${v}'`).join(", ")}]::DOUBLE[])`;
const strings = (values: string[]) => `unnest([${values.map((v) => `'${v}'`).join(", ")}])`;

beforeAll(async () => {
  db = await openDb();
  dir = mkdtempSync(join(tmpdir(), "mlbook-check-"));
  // 20 birds: 3 Emperors, 2 missing masses, one id repeated, one code lower case.
  await db.run(`CREATE TABLE birds AS SELECT
      i AS id_ok,
      CASE WHEN i = 7 THEN 3 ELSE i END AS id,
      CASE WHEN i IN (4, 9, 14) THEN 'Emperor' WHEN i % 3 = 0 THEN 'Gentoo' ELSE 'Adelie' END AS species,
      CASE WHEN i IN (2, 5) THEN NULL ELSE 3000 + i * 100 END::DOUBLE AS mass,
      CASE WHEN i = 11 THEN 'ab1' ELSE 'AB' || chr(65 + i) END AS code,
      DATE '2024-01-01' + i AS day,
      i % 2 = 0 AS flag,
      CAST(i AS VARCHAR) AS mass_text
    FROM (SELECT CAST(range AS INTEGER) AS i FROM range(1, 21))`);
});

afterAll(() => {
  db.close();
  rmSync(dir, {recursive: true, force: true});
});

describe("check: table expectations", () => {
  it("judges the row-count range, min_rows defaulting to 1", async () => {
    expect(find(await warn({}), "table.min_rows")).toMatchObject({expected: 1, observed: 20, passed: true});
    const r = await warn({}, {min_rows: 50, max_rows: 10});
    expect(find(r, "table.min_rows")).toMatchObject({column: null, observed: 20, passed: false});
    expect(find(r, "table.max_rows")).toMatchObject({expected: 10, observed: 20, passed: false});
    expect(find(r, "table.max_rows").message).toBe("table: max rows 10: found 20 rows");
    expect(find(await warn({}, {max_rows: 20}), "table.max_rows").passed).toBe(true);
  });

  it("counts duplicate rows", async () => {
    await db.run("CREATE VIEW doubled AS SELECT * FROM birds UNION ALL SELECT * FROM birds WHERE id_ok <= 3");
    const r = await runCheck({severity: "warn", table: {no_duplicate_rows: true}}, "doubled");
    expect(find(r, "table.no_duplicate_rows")).toMatchObject({observed: 3, passed: false});
    expect(find(await warn({}, {no_duplicate_rows: true}), "table.no_duplicate_rows")).toMatchObject({
      observed: 0,
      passed: true
    });
  });
});

describe("check: column expectations", () => {
  it("maps DuckDB types to type families", async () => {
    const r = await warn({
      mass: {type: "numeric"},
      id: {type: "numeric"},
      species: {type: "string"},
      flag: {type: "boolean"},
      day: {type: "date"},
      mass_text: {type: "numeric"}
    });
    for (const c of ["mass", "id", "species", "flag", "day"]) expect(find(r, `${c}.type`).passed).toBe(true);
    expect(find(r, "mass.type").observed).toBe("DOUBLE");
    expect(find(r, "mass_text.type")).toMatchObject({
      expected: "numeric",
      observed: "VARCHAR",
      passed: false
    });
  });

  it("counts nulls for not_null and max_null_fraction", async () => {
    const r = await warn({
      mass: {not_null: true, max_null_fraction: 0.05},
      species: {not_null: true, max_null_fraction: 0}
    });
    expect(find(r, "mass.not_null")).toMatchObject({observed: 2, passed: false});
    expect(find(r, "mass.not_null").message).toBe("mass: not null: found 2 nulls");
    expect(find(r, "mass.max_null_fraction")).toMatchObject({expected: 0.05, observed: 0.1, passed: false});
    expect(find(r, "species.not_null")).toMatchObject({observed: 0, passed: true});
    expect(find(r, "species.max_null_fraction")).toMatchObject({observed: 0, passed: true});
  });

  it("reports the observed extreme and the rows outside min and max", async () => {
    const r = await warn({
      mass: {min: 3150, max: 4900},
      id: {min: 1, max: 20},
      day: {min: "2024-01-05", max: "2024-12-31"},
      species: {min: "Adelie"},
      mass_text: {min: 0}
    });
    expect(find(r, "mass.min")).toMatchObject({expected: 3150, observed: 3100, passed: false});
    expect(find(r, "mass.min").message).toBe("mass: min 3150: found 3100 (1 row below)");
    expect(find(r, "mass.max")).toMatchObject({observed: 5000, passed: false});
    expect(find(r, "mass.max").message).toBe("mass: max 4900: found 5000 (1 row above)");
    expect(find(r, "id.min")).toMatchObject({observed: 1, passed: true});
    expect(find(r, "id.max")).toMatchObject({observed: 20, passed: true});
    expect(find(r, "day.min")).toMatchObject({observed: "2024-01-02", passed: false});
    expect(find(r, "day.min").message).toContain("(3 rows below)");
    expect(find(r, "day.max").passed).toBe(true);
    expect(find(r, "species.min")).toMatchObject({observed: "Adelie", passed: true});
    // A number bound on a text column cannot be judged: it fails and names the type.
    expect(find(r, "mass_text.min")).toMatchObject({observed: "VARCHAR", passed: false});
  });

  it("lists values outside allowed with their row counts, ignoring nulls", async () => {
    const r = await warn({
      species: {allowed: ["Adelie", "Chinstrap", "Gentoo"]},
      id_ok: {allowed: [1, 2, 3]},
      flag: {allowed: [true, false]},
      mass: {
        allowed: Array.from({length: 20}, (_, i) => 3100 + i * 100).filter((v) => v !== 3200 && v !== 3500)
      }
    });
    expect(find(r, "species.allowed")).toMatchObject({
      observed: [{value: "Emperor", rows: 3}],
      passed: false
    });
    expect(find(r, "species.allowed").message).toBe(
      'species: allowed values ["Adelie","Chinstrap","Gentoo"]: found "Emperor" (3 rows)'
    );
    expect(find(r, "id_ok.allowed").observed).toHaveLength(10);
    expect(find(r, "id_ok.allowed").message).toContain("and 7 other rows");
    expect(find(r, "flag.allowed")).toMatchObject({observed: [], passed: true});
    expect(find(r, "mass.allowed").passed).toBe(true);
  });

  it("counts repeated values for unique", async () => {
    const r = await warn({id: {unique: true}, id_ok: {unique: true}});
    expect(find(r, "id.unique")).toMatchObject({observed: 1, passed: false});
    expect(find(r, "id.unique").message).toBe('id: unique: found 1 duplicate, e.g. "3" (2 rows)');
    expect(find(r, "id_ok.unique")).toMatchObject({observed: 0, passed: true});
  });

  it("counts values not matching a regex", async () => {
    const r = await warn({code: {regex: "^[A-Z]{3}$"}, species: {regex: "^[A-Z]"}});
    expect(find(r, "code.regex")).toMatchObject({expected: "^[A-Z]{3}$", observed: 1, passed: false});
    expect(find(r, "code.regex").message).toContain('e.g. "ab1"');
    expect(find(r, "species.regex")).toMatchObject({observed: 0, passed: true});
  });

  it("rejects a bad regex as a config error naming the key", async () => {
    const error = await warn({code: {regex: "([A-Z"}}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlbookError);
    expect((error as MlbookError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/^invalid check\.columns\.code\.regex: "\(\[A-Z"/);
  });

  it("fails an expectation on a missing column instead of erroring", async () => {
    const r = await warn({wingspan: {not_null: true}});
    expect(find(r, "wingspan.exists")).toMatchObject({observed: false, passed: false});
    expect(r.expectations.filter((e) => e.column === "wingspan")).toHaveLength(1);
  });
});

describe("check: severity", () => {
  it("throws exit code 3 with a summary naming each failed column and observed value", async () => {
    const params = {
      columns: {
        species: {allowed: ["Adelie", "Chinstrap", "Gentoo"], not_null: true},
        mass: {not_null: true, severity: "warn"},
        id: {unique: true}
      }
    };
    const error = await runCheck(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as MlbookError).exitCode).toBe(3);
    expect((error as Error).message).toBe(
      [
        "check: 2 expectations failed (and 1 warning)",
        '  species: allowed values ["Adelie","Chinstrap","Gentoo"]: found "Emperor" (3 rows)',
        '  id: unique: found 1 duplicate, e.g. "3" (2 rows)'
      ].join("\n")
    );
    const report = (error as CheckFailedError).report as CheckReport;
    expect(report.passed).toBe(false);
    expect(find(report, "species.not_null").passed).toBe(true);
  });

  it("reports warnings without throwing, and logs them", async () => {
    logged.length = 0;
    const r = await runCheck({
      columns: {mass: {not_null: true, severity: "warn"}, species: {not_null: true}}
    });
    expect(r.passed).toBe(false);
    expect(r.rows).toBe(20);
    expect(find(r, "mass.not_null")).toMatchObject({severity: "warn", passed: false});
    expect(find(r, "species.not_null")).toMatchObject({severity: "error", passed: true});
    expect(logged).toEqual(["warning: mass: not null: found 2 nulls"]);
  });

  it("passes a clean table", async () => {
    const r = await runCheck({columns: {species: {allowed: ["Adelie", "Gentoo", "Emperor"]}}});
    expect(r.passed).toBe(true);
    expect(r.drift).toEqual([]);
  });

  it("rejects unknown keys", () => {
    expect(() => checkParams.parse({columns: {mass: {nonnull: true}}})).toThrow();
    expect(() => checkParams.parse({drift: {p_value: 0.05}})).toThrow(/reference/);
  });
});

describe("check: drift", () => {
  const driftOf = (r: CheckReport, column: string): DriftResult => r.drift.find((d) => d.column === column)!;

  beforeAll(async () => {
    await db.run(`CREATE TABLE fixture_b AS SELECT ${doubles(drift.ks.b)} AS x`);
    await db.run(`CREATE TABLE fixture_chi AS SELECT ${strings(drift.chi2.b)} AS v`);
    // 3000 values on a smooth grid, and the same shifted by a quarter of its spread.
    await db.run(`CREATE TABLE current AS SELECT
        (i * 7919 % 3001)::DOUBLE / 100 AS x,
        ['a', 'b', 'c', 'd'][1 + (i * 31 % 7) % 4] AS cat
      FROM range(3000) t(i)`);
    await db.run(
      `CREATE TABLE shifted AS SELECT x + 7.5 AS x, CASE WHEN x < 5 THEN 'e' ELSE cat END AS cat FROM current`
    );
  });

  it("matches the scipy fixture for KS (exact) and chi-square", async () => {
    const ks = await reference("fixture_a.csv", `SELECT ${doubles(drift.ks.a)} AS x`);
    const r = await runCheck({drift: {reference_path: ks}}, "fixture_b");
    const d = driftOf(r, "x");
    expect(d).toMatchObject({test: "ks", reference_rows: 400, current_rows: 300, drifted: true});
    expect(Math.abs(d.statistic! - drift.ks.statistic)).toBeLessThan(1e-12);
    expect(Math.abs(d.p_value! - drift.ks.pvalue) / drift.ks.pvalue).toBeLessThan(1e-9);
    expect(find(r, "x.drift")).toMatchObject({severity: "warn", observed: d.p_value, passed: false});

    const chi = await reference("fixture_a_chi.parquet", `SELECT ${strings(drift.chi2.a)} AS v`);
    const c = driftOf(await runCheck({drift: {reference_path: chi}}, "fixture_chi"), "v");
    expect(c.test).toBe("chi2");
    expect(Math.abs(c.statistic! - drift.chi2.statistic)).toBeLessThan(1e-9);
    expect(Math.abs(c.p_value! - drift.chi2.pvalue)).toBeLessThan(1e-9);
    expect(c.histogram).toEqual(
      ["x", "y", "z"].map((k) => ({
        category: k,
        reference: drift.chi2.a.filter((v: string) => v === k).length,
        current: drift.chi2.b.filter((v: string) => v === k).length
      }))
    );
  });

  it("finds no drift against an identical reference and drift against a shifted one", async () => {
    const same = await reference("same.csv", "SELECT * FROM current");
    const r = await runCheck({drift: {reference_path: same, bins: 10}}, "current");
    expect(r.drift.map((d) => [d.column, d.test, d.statistic, d.p_value, d.drifted])).toEqual([
      ["x", "ks", 0, 1, false],
      ["cat", "chi2", 0, 1, false]
    ]);
    expect(r.passed).toBe(true);
    expect(r.expectations.filter((e) => e.kind === "drift").map((e) => e.message)).toEqual([
      "x: no drift (ks p = 1 ≥ 0.05, statistic 0; 3000 reference vs 3000 current values)",
      "cat: no drift (chi2 p = 1 ≥ 0.05, statistic 0; 3000 reference vs 3000 current values)"
    ]);
    const hist = driftOf(r, "x").histogram!;
    expect(hist).toHaveLength(10);
    expect(hist.every((b) => "lo" in b && b.reference === b.current)).toBe(true);
    expect(hist.reduce((s, b) => s + b.current, 0)).toBe(3000);

    const moved = await runCheck({drift: {reference_path: same}}, "shifted");
    expect(moved.drift.every((d) => d.drifted && d.p_value! < 1e-10)).toBe(true);
    expect(moved.passed).toBe(false);
  });

  it("equals ksTwoSample and chiSquareTwoSample on the same data, small and large", async () => {
    // 3000 rows take ksTwoSample's exact path; 30 000 its asymptotic one, computed here in SQL.
    await db.run(`CREATE TABLE big AS SELECT
        CASE WHEN i % 5 = 0 THEN NULL ELSE round(sin(i) * 40 + (i % 17), 1) END AS x,
        'k' || (i * i % 13) AS cat
      FROM range(30000) t(i)`);
    await db.run(`CREATE TABLE bigref AS SELECT round(cos(i) * 41 + (i % 19), 1) AS x,
        CASE WHEN i % 50 = 0 THEN NULL ELSE 'k' || (i % 13) END AS cat FROM range(24000) t(i)`);
    const cases = [
      ["current", "SELECT * FROM shifted"],
      ["big", "SELECT * FROM bigref"]
    ] as const;
    for (const [current, ref] of cases) {
      const path = await reference(`${current}_ref.parquet`, ref);
      const r = await runCheck({drift: {reference_path: path, columns: ["x", "cat"]}}, current);
      const a = await db.numbers(`SELECT x FROM (${ref})`);
      const b = await db.numbers(`SELECT x FROM ${current}`);
      const ks = ksTwoSample(a, b);
      expect(ks.method).toBe(current === "big" ? "asymp" : "exact");
      expect(driftOf(r, "x")).toMatchObject({statistic: ks.statistic, p_value: ks.pvalue});
      const values = async (sql: string) => (await db.rows<{v: string | null}>(sql)).map((row) => row.v);
      const chi = chiSquareTwoSample(
        await values(`SELECT cat AS v FROM (${ref})`),
        await values(`SELECT cat AS v FROM ${current}`)
      );
      expect(driftOf(r, "cat")).toMatchObject({statistic: chi.statistic, p_value: chi.pvalue});
      expect(driftOf(r, "cat").histogram!.map((h) => ("category" in h ? h.category : undefined))).toEqual(
        chi.categories
      );
    }
  });

  it("pools categories past max_categories", async () => {
    const path = await reference("ids.csv", "SELECT 'id' || i AS cat FROM range(100) t(i)");
    await db.run("CREATE TABLE ids AS SELECT 'id' || (i % 120) AS cat FROM range(240) t(i)");
    const d = driftOf(await runCheck({drift: {reference_path: path, max_categories: 5}}, "ids"), "cat");
    expect(d.histogram).toHaveLength(5);
    expect(d.histogram!.at(-1)).toMatchObject({category: "(other)"});
    expect(d.histogram!.reduce((s, h) => s + h.reference, 0)).toBe(100);
    expect(d.histogram!.reduce((s, h) => s + h.current, 0)).toBe(240);
  });

  it("reports no statistic when one side has no values", async () => {
    const path = await reference("nulls.csv", "SELECT i::DOUBLE AS x FROM range(10) t(i)");
    await db.run("CREATE TABLE empty_x AS SELECT NULL::DOUBLE AS x FROM range(5)");
    const d = driftOf(await runCheck({drift: {reference_path: path}}, "empty_x"), "x");
    expect(d).toMatchObject({test: "ks", statistic: null, p_value: null, drifted: false, current_rows: 0});
  });

  it("stops the run on drift with severity error, and names a column the reference lacks", async () => {
    const same = await reference("same2.csv", "SELECT x FROM current");
    const error = await runCheck({drift: {reference_path: same, severity: "error"}}, "shifted").catch(
      (e) => e
    );
    expect((error as MlbookError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(
      /^check: 1 expectation failed\n {2}x: drift \(ks p = \d\.\de-\d+ < 0\.05, statistic 0\.\d+; 3000 reference vs 3000 current values\)$/
    );
    const missing = await runCheck({drift: {reference_path: same, columns: ["cat"]}}, "current").catch(
      (e) => e
    );
    expect((missing as Error).message).toBe(`check.drift.columns: column "cat" is not in ${same}`);
  });
});
