import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray
} from "apache-arrow";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {openDb} from "../../src/pipeline/engine/db.ts";
import {DataError} from "../../src/pipeline/errors.ts";
import {runPipeline} from "../../src/pipeline/engine/run.ts";
import {tinyConfig} from "../helpers/project.ts";

const n = 120;
const day = 86_400_000;
/** 120 rows of three separable classes, with every kind of column the reader maps. */
function table(): Table {
  const k = Array.from({length: n}, (_, i) => i % 3);
  return new Table({
    x1: vectorFromArray(
      k.map((c, i) => (i === 7 ? null : c * 2 + ((i * 37) % 10) / 20)),
      new Float64()
    ),
    count: vectorFromArray(
      k.map((c, i) => BigInt(c * 100 + i)),
      new Int64()
    ),
    small: vectorFromArray(
      k.map((c) => c),
      new Int32()
    ),
    flag: vectorFromArray(
      k.map((c) => c === 1),
      new Bool()
    ),
    colour: vectorFromArray(
      k.map((c) => ["red", "green", "blue"][c]),
      new Dictionary(new Utf8(), new Int32())
    ),
    day: vectorFromArray(
      k.map((_, i) => new Date(Date.UTC(2024, 0, 1) + i * day)),
      new DateDay()
    ),
    at: vectorFromArray(
      k.map((_, i) => new Date(Date.UTC(2024, 0, 1, 12) + i * 1500)),
      new TimestampMillisecond()
    ),
    label: vectorFromArray(
      k.map((c) => "abc"[c]),
      new Utf8()
    )
  });
}

function project(bytes: Uint8Array, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-arrow-"));
  writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, "mlbook.yaml"), tinyConfig.replace("source: data.csv", `source: ${name}`));
  return dir;
}

describe("ingest reads Arrow IPC files", () => {
  for (const [format, name] of [
    ["file", "data.arrow"],
    ["stream", "data.arrows"]
  ] as const) {
    it(`${format} format (${name}): types kept, values exact, and the pipeline trains on it`, async () => {
      const dir = project(tableToIPC(table(), format), name);
      const result = await runPipeline(await loadConfig(join(dir, "mlbook.yaml")));
      expect(result.steps[0]).toMatchObject({name: "ingest", status: "ran", rows: {data: n}});
      expect(result.headline.accuracy).toBeGreaterThan(0.9);

      const db = await openDb();
      try {
        const file = join(dir, ".mlbook", "store", "ingest", result.steps[0].key, "data.parquet");
        const types = await db.rows<{column_name: string; column_type: string}>(
          `DESCRIBE SELECT * FROM read_parquet('${file}')`
        );
        expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
          x1: "DOUBLE",
          count: "BIGINT",
          small: "BIGINT",
          flag: "BOOLEAN",
          colour: "VARCHAR",
          day: "DATE",
          at: "TIMESTAMP",
          label: "VARCHAR"
        });
        const rows = await db.rows<Record<string, unknown>>(
          `SELECT x1, count::INTEGER AS count, flag, colour, strftime(day, '%Y-%m-%d') AS day,
             strftime("at", '%Y-%m-%d %H:%M:%S.%g') AS "at", label FROM read_parquet('${file}') LIMIT 8`
        );
        expect(rows[1]).toEqual({
          x1: 1 * 2 + ((1 * 37) % 10) / 20,
          count: 101,
          flag: true,
          colour: "green",
          day: "2024-01-02",
          at: "2024-01-01 12:00:01.500",
          label: "b"
        });
        expect(rows[7].x1).toBeNull();
      } finally {
        db.close();
      }
    });
  }

  it("a file that is not Arrow names the file", async () => {
    const dir = project(new TextEncoder().encode("x1,label\n1,a\n"), "data.arrow");
    const error = await runPipeline(await loadConfig(join(dir, "mlbook.yaml"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/^ingest \(data\.arrow\): .*data\.arrow: not an Arrow IPC file/);
  });
});
