import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {openDb, type Db} from "../../../src/pipeline/engine/db.ts";
import {DataError} from "../../../src/pipeline/errors.ts";
import {tableView} from "../../../src/pipeline/engine/execute.ts";
import {featurize, featurizeParams} from "../../../src/pipeline/steps/featurize.ts";
import {stepContext} from "../../helpers/stepContext.ts";

let db: Db;

/**
 * 400 flights from 3 airports over 16 hours, many at the same minute (ties), in an input order
 * that is not time order. delay is a function of the row, so expectations can be computed here.
 */
const n = 400;
const rows = Array.from({length: n}, (_, i) => ({
  id: i,
  origin: ["AAA", "BBB", "CCC"][(i * 7) % 3],
  // 60 distinct times 16 minutes apart: each airport has 6 or 7 flights at each of its times.
  minute: ((i * 37) % 60) * 16,
  delay: ((i * 13) % 29) - 7 + (i % 5) / 4
}));

beforeAll(async () => {
  db = await openDb();
  const values = rows
    .map((r) => `(${r.id}, '${r.origin}', TIMESTAMP '2024-03-01' + to_minutes(${r.minute}), ${r.delay})`)
    .join(", ");
  await db.run(`CREATE TABLE flights (id INTEGER, origin VARCHAR, departed TIMESTAMP, delay DOUBLE)`);
  await db.run(`INSERT INTO flights VALUES ${values}`);
});
afterAll(() => db.close());

/** Runs the step on `relation`; returns its output rows as objects, in output order. */
async function run(params: unknown, relation = "flights"): Promise<Record<string, unknown>[]> {
  const out = await featurize.run({data: relation}, featurizeParams.parse(params), stepContext(db));
  return db.rows(out.data as string);
}

/** As `run`, on the table stored as parquet and read through the runner's views (numbered by the reader). */
async function runStored(params: unknown): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-featurize-"));
  await db.run(`COPY flights TO '${join(dir, "data.parquet")}' (FORMAT parquet)`);
  const view = await tableView(db, "clean", dir, "data");
  const ctx = {
    ...stepContext(db),
    numbered: (relation: string) => (relation === view.plain ? view.numbered : relation)
  };
  const out = await featurize.run({data: view.plain}, featurizeParams.parse(params), ctx);
  return db.rows(out.data as string);
}

/** The mean of the `k` values before the first row at this row's time, in (time, input) order. */
function expectedRecent(k: number): (number | null)[] {
  const out: (number | null)[] = new Array(n).fill(null);
  for (const origin of ["AAA", "BBB", "CCC"]) {
    const group = rows.filter((r) => r.origin === origin).sort((a, b) => a.minute - b.minute || a.id - b.id);
    group.forEach((r, pos) => {
      const first = group.findIndex((q) => q.minute === r.minute);
      const before = group.slice(Math.max(0, first - k), first).map((q) => q.delay);
      out[r.id] = before.length ? before.reduce((a, b) => a + b, 0) / before.length : null;
      void pos;
    });
  }
  return out;
}

describe("featurize", () => {
  it("numbers rows by their place in the stored file, as a scan would, through the runner's views", async () => {
    const params = {window: [{column: "delay", by: "origin", order: "departed", rows: 5, name: "recent"}]};
    const stored = await runStored(params);
    expect(stored).toEqual(await run(params));
    expect(stored.map((r) => r.recent)).toEqual(expectedRecent(5));
  });

  it("puts each window value back on its own row at scale: many row groups, several threads", async () => {
    // The windows sort only the columns they read; their values go back to the rows by position.
    // 150,000 rows in 19 row groups of a stored file, so scans run in parallel and out of order.
    const big = 150_000;
    const dir = mkdtempSync(join(tmpdir(), "mlbook-featurize-big-"));
    await db.run(
      `COPY (SELECT i::INTEGER AS id, ['AAA', 'BBB', 'CCC', 'DDD'][i % 4 + 1] AS origin, TIMESTAMP '2024-03-01' + to_minutes((i * 7919) % 3000) AS departed, ((i * 13) % 29 - 7)::DOUBLE AS delay FROM range(${big}) t(i)) TO '${join(dir, "data.parquet")}' (FORMAT parquet, ROW_GROUP_SIZE 8192)`
    );
    const view = await tableView(db, "clean", dir, "data");
    const ctx = {
      ...stepContext(db),
      numbered: (relation: string) => (relation === view.plain ? view.numbered : relation)
    };
    // Integer delays: every sum is exact, so DuckDB's mean and this one agree to the bit.
    const expected = new Array<number | null>(big).fill(null);
    for (let g = 0; g < 4; ++g) {
      const ids = Array.from({length: big / 4}, (_, k) => 4 * k + g);
      const minute = (i: number) => (i * 7919) % 3000;
      ids.sort((a, b) => minute(a) - minute(b) || a - b);
      const sums = [0];
      for (const i of ids) sums.push(sums[sums.length - 1] + (((i * 13) % 29) - 7));
      let first = 0;
      ids.forEach((i, pos) => {
        if (minute(i) !== minute(ids[first])) first = pos;
        const from = Math.max(0, first - 10);
        expected[i] = first > from ? (sums[first] - sums[from]) / (first - from) : null;
      });
    }
    const params = featurizeParams.parse({
      window: [{column: "delay", by: "origin", order: "departed", rows: 10, name: "recent"}]
    });
    for (const threads of [2, 4]) {
      await db.run(`SET threads = ${threads}`);
      const out = await featurize.run({data: view.plain}, params, ctx);
      const got = await db.rows<{id: number; recent: number | null}>(
        `SELECT id, recent FROM (${out.data as string})`
      );
      // Counted rather than compared whole: a diff of 150,000 rows takes minutes to print.
      const wrong = got.flatMap((r, i) => (r.id !== i || r.recent !== expected[i] ? [i] : []));
      expect(got.length).toBe(big);
      expect({threads, wrong: wrong.length, first: got[wrong[0]]}).toEqual({
        threads,
        wrong: 0,
        first: undefined
      });
    }
  });

  it("rolling mean over earlier rows: the k rows before this time, per group, ties by input order", async () => {
    const out = await run({
      window: [{column: "delay", by: "origin", order: "departed", rows: 5, name: "recent"}]
    });
    expect(out.map((r) => r.id)).toEqual(rows.map((r) => r.id)); // input order kept
    const expected = expectedRecent(5);
    out.forEach((r, i) => {
      if (expected[i] === null) expect(r.recent).toBeNull();
      else expect(r.recent as number).toBeCloseTo(expected[i]!, 12);
    });
    // The first time of each airport has nothing before it.
    expect(expected.filter((v) => v === null).length).toBeLessThan(25);
  });

  it("never lets a row's own value, a same-time row's or a later row's into its feature", async () => {
    const before = await run({
      window: [{column: "delay", by: "origin", order: "departed", rows: 5, name: "recent"}]
    });
    // Change the delays of every row at one time of one airport: only later rows may change.
    const target = rows[123];
    await db.run(
      `CREATE OR REPLACE VIEW changed AS SELECT id, origin, departed, CASE WHEN origin = '${target.origin}' AND departed = TIMESTAMP '2024-03-01' + to_minutes(${target.minute}) THEN delay + 1000 ELSE delay END AS delay FROM flights`
    );
    const after = await run(
      {window: [{column: "delay", by: "origin", order: "departed", rows: 5, name: "recent"}]},
      "changed"
    );
    let moved = 0;
    for (let i = 0; i < n; ++i) {
      const r = rows[i];
      const later = r.origin === target.origin && r.minute > target.minute;
      if (!later) expect(after[i].recent).toBe(before[i].recent);
      else if (after[i].recent !== before[i].recent) moved++;
    }
    expect(moved).toBeGreaterThan(0);
  });

  it("gives the same bytes on every run (no dependence on how DuckDB sorts ties)", async () => {
    const spec = {
      window: [
        {column: "delay", by: "origin", order: "departed", rows: 3},
        {column: "delay", order: "departed", days: 2}
      ]
    };
    const a = JSON.stringify(await run(spec));
    for (const threads of [1, 4]) {
      await db.run(`SET threads = ${threads}`);
      expect(JSON.stringify(await run(spec))).toBe(a);
    }
  });

  it("day windows: rows in the previous N days, same-time rows excluded", async () => {
    const out = await run({window: [{column: "delay", order: "departed", days: 1, agg: "count", name: "n"}]});
    out.forEach((r, i) => {
      const t = rows[i].minute;
      const count = rows.filter((q) => q.minute < t && q.minute >= t - 1440).length;
      expect(Number(r.n)).toBe(count);
    });
  });

  it("date parts, log1p, degree-2 terms and crossed categoricals", async () => {
    const [first] = await run({
      date_parts: [{column: "departed", parts: ["month", "weekday", "hour"]}],
      log1p: ["id"],
      polynomial: ["id", "delay"],
      cross: [["origin", "id"]]
    });
    const r = rows[0];
    // Date parts are BIGINT (read back as text).
    expect([first.departed_month, first.departed_weekday, first.departed_hour].map(Number)).toEqual([
      3,
      5, // 2024-03-01 is a Friday (0 = Sunday)
      0
    ]);
    expect(first).toMatchObject({
      log1p_id: Math.log(1),
      "id^2": 0,
      "id delay": 0 * r.delay,
      "delay^2": r.delay * r.delay,
      origin_x_id: `${r.origin}|0`
    });
  });

  it("names the step, the setting and the columns for a missing or mistyped column", async () => {
    await expect(run({log1p: ["origin"]})).rejects.toThrow(
      new DataError('featurize.log1p: column "origin" has type VARCHAR (expected numeric)')
    );
    await expect(run({window: [{column: "nope", order: "departed", rows: 2}]})).rejects.toThrow(
      /^featurize\.window: no column "nope" \(columns: id, origin, departed, delay\)$/
    );
  });
});
