import type {TargetSpec} from "./targetSpec.ts";

/**
 * How strongly a feature goes with the target, by the measure that fits the two kinds:
 * `r`, Pearson's correlation (a number with a numeric target, signed); `eta`, the correlation
 * ratio (a number against classes, or a numeric target across categories: how much of the
 * variance the groups explain, as a root); `v`, Cramér's V (categories against classes).
 * All but r lie in [0, 1].
 */
export interface Association {
  column: string;
  measure: "r" | "eta" | "v";
  value: number;
}

/** A feature as association measures read it: a number per row, or a group (category) per row. */
export type FeatureSql = {column: string; number: string} | {column: string; group: string};

type Rows = {rows<T>(sql: string): Promise<T[]>};

/** Each feature's association with the target, strongest first; one grouped scan per feature. */
export async function association(
  db: Rows,
  features: FeatureSql[],
  target: TargetSpec
): Promise<Association[]> {
  const out: Association[] = [];
  for (const f of features) {
    const a =
      "number" in f
        ? target.task === "regression"
          ? {measure: "r" as const, value: await pearson(db, f.number, target.sql)}
          : {measure: "eta" as const, value: await eta(db, f.number, target.sql)}
        : target.task === "regression"
          ? {measure: "eta" as const, value: await eta(db, target.sql, f.group)}
          : {measure: "v" as const, value: await cramersV(db, f.group, target.sql)};
    if (a.value !== null && Number.isFinite(a.value)) out.push({column: f.column, ...a, value: a.value});
  }
  return out.sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.column.localeCompare(b.column));
}

async function pearson(db: Rows, x: string, y: string): Promise<number | null> {
  const [row] = await db.rows<{r: number | null}>(`SELECT corr(${x}, ${y}) AS r FROM t WHERE isfinite(${x})`);
  return row.r;
}

/** η of `value` across the groups of `group`: √(between-group sum of squares / total sum of squares). */
async function eta(db: Rows, value: string, group: string): Promise<number | null> {
  const [row] = await db.rows<{eta: number | null}>(
    `WITH d AS (SELECT ${value} AS v, ${group} AS g FROM t WHERE ${value} IS NOT NULL AND isfinite(${value}) AND ${group} IS NOT NULL),
     groups AS (SELECT count(*) AS n, avg(v) AS m FROM d GROUP BY g),
     whole AS (SELECT avg(v) AS m, var_pop(v) * count(*) AS ss FROM d)
     SELECT sqrt(sum(groups.n * (groups.m - whole.m) ^ 2) / nullif(any_value(whole.ss), 0)) AS eta FROM groups, whole`
  );
  return row.eta;
}

/** Cramér's V of two groupings: √(χ² / (n · (min(rows, columns) − 1))), χ² = n(Σ n_ab² / (n_a n_b) − 1). */
async function cramersV(db: Rows, a: string, b: string): Promise<number | null> {
  const [row] = await db.rows<{v: number | null}>(
    `WITH d AS (SELECT ${a} AS a, ${b} AS b FROM t WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL),
     cells AS (SELECT a, b, count(*) AS n FROM d GROUP BY a, b),
     na AS (SELECT a, sum(n) AS n FROM cells GROUP BY a),
     nb AS (SELECT b, sum(n) AS n FROM cells GROUP BY b),
     total AS (SELECT sum(n) AS n, least((SELECT count(*) FROM na), (SELECT count(*) FROM nb)) - 1 AS k FROM cells)
     SELECT sqrt(any_value(total.n) * (sum(cells.n * cells.n / (na.n * nb.n)) - 1) / nullif(any_value(total.n) * any_value(total.k), 0)) AS v
     FROM cells JOIN na USING (a) JOIN nb USING (b), total`
  );
  return row.v;
}
