import type {Db} from "../pipeline/engine/db.ts";
import {quoteIdent, quoteString} from "../pipeline/engine/sql.ts";

/** The page's thresholds are 0, 1/BINS, …, 1. */
export const BINS = 100;

/** One class against the rest, from every scored test row. */
export interface ClassThresholds {
  class: string;
  /** ROC AUC of the class's probability for the class against the rest (ties count half). */
  auc: number | null;
  /**
   * Rows of the class (positive) and of the others (negative), counted by bin of the class's
   * probability p: bin b holds the rows whose p is at least b / BINS but less than (b + 1) / BINS,
   * and bin BINS those with p exactly 1. At threshold k / BINS the rows predicted as the class are
   * exactly those of the bins from k on, so the page counts the confusion matrix at any threshold.
   */
  positive: number[];
  negative: number[];
}

/**
 * Per class (for two classes the second, the positive one, as the curves have it): its
 * probability's histogram per truth and its AUC. `rows` is a relation of the scored test rows
 * with `actual` and a `proba_<class>` column per class, in the classes' order.
 */
export async function classThresholds(db: Db, rows: string, proba: string[]): Promise<ClassThresholds[]> {
  const which = proba.length === 2 ? proba.slice(1) : proba;
  const out: ClassThresholds[] = [];
  for (const column of which) {
    const name = column.slice("proba_".length);
    const p = quoteIdent(column);
    const pos = `actual = ${quoteString(name)}`;
    // floor(p · BINS) can land one off the bin whose edge k / BINS (as a double) p reaches: step back or on.
    const b = `least(greatest(floor(${p} * ${BINS})::INTEGER, 0), ${BINS})`;
    const bin = `CASE WHEN ${b} < ${BINS} AND (${b} + 1)::DOUBLE / ${BINS} <= ${p} THEN ${b} + 1
      WHEN ${b} > 0 AND ${b}::DOUBLE / ${BINS} > ${p} THEN ${b} - 1 ELSE ${b} END`;
    const counts = await db.rows<{bin: number; positive: number; negative: number}>(
      `SELECT bin, count(*) FILTER (WHERE pos)::INTEGER AS positive, count(*) FILTER (WHERE NOT pos)::INTEGER AS negative
       FROM (SELECT ${bin} AS bin, ${pos} AS pos FROM ${rows} WHERE actual IS NOT NULL) GROUP BY bin`
    );
    const positive = new Array<number>(BINS + 1).fill(0);
    const negative = new Array<number>(BINS + 1).fill(0);
    for (const c of counts) {
      positive[c.bin] = c.positive;
      negative[c.bin] = c.negative;
    }
    // Mann–Whitney: the positives' mean rank among all scores (tied scores share their mean rank).
    const [r] = await db.rows<{ranks: number | null; np: number; nn: number}>(
      `SELECT sum(rank) FILTER (WHERE pos) AS ranks, count(*) FILTER (WHERE pos)::DOUBLE AS np,
         count(*) FILTER (WHERE NOT pos)::DOUBLE AS nn
       FROM (SELECT ${pos} AS pos, rank() OVER (ORDER BY ${p}) + (count(*) OVER (PARTITION BY ${p}) - 1) / 2 AS rank
             FROM ${rows} WHERE actual IS NOT NULL)`
    );
    const auc = r.np && r.nn ? (Number(r.ranks) - (r.np * (r.np + 1)) / 2) / (r.np * r.nn) : null;
    out.push({class: name, auc, positive, negative});
  }
  return out;
}
