import {quoteIdent} from "../../pipeline/engine/sql.ts";
import {binGrid} from "./binGrid.ts";
import {topValuesOf} from "./categoricalProfile.ts";
import type {NumericBin} from "./numericProfile.ts";
import {targetBins} from "./targetBins.ts";

export interface TextSummary {
  kind: "text";
  /** Length in characters. */
  length: {min: number; mean: number; max: number};
  words: {mean: number};
  top: {value: string; count: number}[];
  /** Bins of the length, in whole characters. */
  bins: NumericBin[];
}

const topValues = 10;

/** Free text (titles, names): how long it runs and which values repeat, not a bar per value. */
export async function textProfile(
  db: {rows<T>(sql: string): Promise<T[]>},
  name: string
): Promise<TextSummary> {
  const c = quoteIdent(name);
  const length = `length(CAST(${c} AS VARCHAR))`;
  const [s] = await db.rows<{lo: number; hi: number; mean: number; words: number}>(
    `SELECT CAST(min(${length}) AS DOUBLE) AS lo, CAST(max(${length}) AS DOUBLE) AS hi, avg(${length}) AS mean,
       avg(len(regexp_split_to_array(trim(CAST(${c} AS VARCHAR)), '\\s+'))) AS words
     FROM t WHERE ${c} IS NOT NULL`
  );
  const grid = binGrid(s.lo, s.hi, true);
  const got = await targetBins(
    db,
    `least(floor((${length} - ${grid.start}) / ${grid.width}), ${grid.count - 1})::INTEGER`,
    `${c} IS NOT NULL`,
    null
  );
  return {
    kind: "text",
    length: {min: s.lo, mean: s.mean, max: s.hi},
    words: {mean: s.words},
    top: await topValuesOf(db, name, topValues),
    bins: Array.from({length: grid.count}, (_, i) => ({
      lo: grid.start + i * grid.width,
      hi: grid.start + (i + 1) * grid.width,
      count: got.get(String(i))?.count ?? 0
    }))
  };
}
