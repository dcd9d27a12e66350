import {quoteIdent, quoteString} from "../../pipeline/engine/sql.ts";
import {emptyBin, targetBins, type BinTarget} from "./targetBins.ts";
import type {TargetSpec} from "./targetSpec.ts";

/** The rows from lo up to hi (ISO times, UTC). */
export interface DateBin extends BinTarget {
  lo: string;
  hi: string;
}

export interface DateSummary {
  kind: "date";
  /** The strptime format a text column's dates were read with; null for a DATE or TIMESTAMP column. */
  format: string | null;
  min: string | null;
  max: string | null;
  /** Each bin's length: a calendar unit (`month`), or a number of years (`10 years`). */
  unit: string;
  bins: DateBin[];
}

/** Formats a text column is tried with: ISO, and the month-name and US forms datasets use. */
const textFormats = [
  "%Y-%m-%d",
  "%Y-%m-%d %H:%M:%S",
  "%Y-%m-%dT%H:%M:%S",
  "%b %d %Y",
  "%d %b %Y",
  "%m/%d/%Y"
];
const maxBins = 30;
const iso = "%Y-%m-%dT%H:%M:%S";

/** The format every present value of a text column parses with, or null: then it is no date column. */
export async function dateFormat(
  db: {rows<T>(sql: string): Promise<T[]>},
  name: string
): Promise<string | null> {
  const c = quoteIdent(name);
  const [row] = await db.rows<Record<string, number>>(
    `SELECT CAST(count(${c}) AS DOUBLE) AS present, ${textFormats
      .map((f, i) => `CAST(count(try_strptime(${c}, ${quoteString(f)})) AS DOUBLE) AS f${i}`)
      .join(", ")} FROM t`
  );
  if (!row.present) return null;
  return textFormats.find((_, i) => row[`f${i}`] === row.present) ?? null;
}

/** Calendar units a bin may span, with their length in days: the shortest giving ≤ 30 bins is taken. */
const units: [string, number][] = [
  ["hour", 1 / 24],
  ["day", 1],
  ["week", 7],
  ["month", 30.44],
  ["quarter", 91.31],
  ["year", 365.25]
];

/** A date column by calendar period (with the target's breakdown when `target` is given). */
export async function dateProfile(
  db: {rows<T>(sql: string): Promise<T[]>},
  name: string,
  format: string | null,
  target: TargetSpec | null
): Promise<DateSummary> {
  const c = quoteIdent(name);
  const ts = format ? `strptime(${c}, ${quoteString(format)})` : `CAST(${c} AS TIMESTAMP)`;
  const [s] = await db.rows<{min: string | null; max: string | null; days: number | null}>(
    `SELECT strftime(min(${ts}), '${iso}') AS min, strftime(max(${ts}), '${iso}') AS max,
       (epoch(max(${ts})) - epoch(min(${ts}))) / 86400 AS days FROM t WHERE ${c} IS NOT NULL`
  );
  if (s.days === null) return {kind: "date", format, min: null, max: null, unit: "day", bins: []};
  // Bins start on the period a value falls in; two more than span/length can start in range.
  const fits = ([, days]: [string, number]) => s.days! / days + 2 <= maxBins;
  const unit = units.find(fits)?.[0];
  let bucket: string;
  let step: string;
  let label: string;
  if (unit && unit !== "year") {
    bucket = `date_trunc('${unit}', ${ts})`;
    step = unit === "quarter" ? "INTERVAL 3 MONTH" : `INTERVAL 1 ${unit.toUpperCase()}`;
    label = unit;
  } else {
    // Years, or several: 2, 5, 10, 20, 50 … of them, starting on a multiple.
    const years = [1, 2, 5].flatMap((k) => [k, k * 10, k * 100, k * 1000]).sort((a, b) => a - b);
    const k = years.find((n) => s.days! / 365.25 / n + 2 <= maxBins) ?? 10_000;
    bucket = `make_timestamp(CAST(floor(year(${ts}) / ${k}) * ${k} AS BIGINT), 1, 1, 0, 0, 0)`;
    step = `INTERVAL ${k} YEAR`;
    label = k === 1 ? "year" : `${k} years`;
  }
  const edges = await db.rows<{lo: string; hi: string}>(
    `SELECT strftime(g, '${iso}') AS lo, strftime(g + ${step}, '${iso}') AS hi FROM (
       SELECT unnest(generate_series(min(${bucket}), max(${bucket}), ${step})) AS g FROM t WHERE ${c} IS NOT NULL)`
  );
  const got = await targetBins(db, `strftime(${bucket}, '${iso}')`, `${c} IS NOT NULL`, target);
  return {
    kind: "date",
    format,
    min: s.min,
    max: s.max,
    unit: label,
    bins: edges.map(({lo, hi}) => ({lo, hi, ...(got.get(lo) ?? emptyBin(target))}))
  };
}
