import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {openDb, type Db} from "../../../src/pipeline/engine/db.ts";
import {split, splitParams} from "../../../src/pipeline/steps/split.ts";
import {stepContext} from "../../helpers/stepContext.ts";

let db: Db;

beforeAll(async () => {
  db = await openDb();
  // 1,000 rows: id, a time stamp that runs backwards against id, a 3-class label with 10/30/60 %.
  await db.run(`CREATE TABLE rows AS SELECT i AS id, TIMESTAMP '2020-01-01' + to_minutes(CAST(1000 - i AS BIGINT)) AS at,
    CASE WHEN i % 10 = 0 THEN 'a' WHEN i % 10 < 4 THEN 'b' ELSE 'c' END AS label, (i * 7919) % 1000 / 10.0 AS x
    FROM range(1000) t(i)`);
});
afterAll(() => db.close());

/** Runs the step with raw params on `relation`; returns each set's ids in output order. */
async function sets(params: Record<string, unknown>, relation = "rows"): Promise<Record<string, number[]>> {
  const conn = await db.connect();
  try {
    const out = await split.run(
      {data: relation},
      splitParams.parse({target: "label", ...params}),
      stepContext(conn)
    );
    const result: Record<string, number[]> = {};
    for (const [name, sql] of Object.entries(out))
      result[name] = Array.from(await conn.numbers(`SELECT id FROM (${sql as string})`));
    return result;
  } finally {
    conn.close();
  }
}

const labelOf = (id: number) => (id % 10 === 0 ? "a" : id % 10 < 4 ? "b" : "c");
const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] < x);

describe("split", () => {
  it("random: stratified, seeded, every row once, input order kept within each set", async () => {
    const s = await sets({test_size: 0.2, seed: 3});
    expect(s.train.length + s.test.length).toBe(1000);
    expect(new Set([...s.train, ...s.test]).size).toBe(1000);
    expect(s.test).toHaveLength(200);
    for (const [label, share] of [
      ["a", 0.1],
      ["b", 0.3],
      ["c", 0.6]
    ] as const)
      expect(s.test.filter((id) => labelOf(id) === label)).toHaveLength(200 * share);
    expect(ascending(s.train) && ascending(s.test)).toBe(true);
    expect(await sets({test_size: 0.2, seed: 3})).toEqual(s);
    expect((await sets({test_size: 0.2, seed: 4})).test).not.toEqual(s.test);
  });

  it("random: a validation set of its own size, disjoint from the others", async () => {
    const s = await sets({test_size: 0.2, validation_size: 0.1, seed: 1});
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 100, 200]);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(1000);
  });

  it("time: the latest rows are the test set", async () => {
    const s = await sets({method: "time", time_column: "at", test_size: 0.25});
    expect(s.test).toHaveLength(250);
    // at runs backwards against id: the latest 250 rows are ids 0–249.
    expect([...s.test].sort((a, b) => a - b)).toEqual(Array.from({length: 250}, (_, i) => i));
    expect(ascending(s.train)).toBe(true);
  });

  it("hash: rows keep their set as the data grows, and the salt draws another split", async () => {
    const params = {method: "hash", key: "id", num_buckets: 10, test_size: 0.3};
    await db.run(`CREATE OR REPLACE VIEW fewer AS SELECT * FROM rows WHERE id < 600`);
    const small = await sets(params, "fewer");
    const all = await sets(params);
    expect(all.test.filter((id) => id < 600)).toEqual(small.test);
    expect(all.test.length / 1000).toBeGreaterThan(0.2);
    expect(all.test.length / 1000).toBeLessThan(0.4);
    expect((await sets({...params, salt: "other"})).test).not.toEqual(all.test);
  });

  it("hash: include_buckets names the test buckets", async () => {
    const s = await sets({method: "hash", key: "id", num_buckets: 10, include_buckets: [0, 3]});
    const expected = await db.numbers(
      `SELECT id FROM rows WHERE md5_number('' || id::VARCHAR) % 10 IN (0, 3) ORDER BY id`
    );
    expect(s.test).toEqual(Array.from(expected));
    expect(s.train.length + s.test.length).toBe(1000);
    expect(() => splitParams.parse({target: "label", include_buckets: [1]})).toThrow(
      /needs split.method hash/
    );
    expect(() =>
      splitParams.parse({target: "label", method: "hash", key: "id", num_buckets: 4, include_buckets: [4]})
    ).toThrow(/below num_buckets/);
  });
});
