import {chiSquareContingency} from "../stats/chiSquare.ts";
import {kolmogorovSf} from "../stats/kolmogorov.ts";
import {ksTwoSample} from "../stats/ksTwoSample.ts";
import {shortNumber} from "../shortNumber.ts";
import {compareStrings} from "../transforms/compareStrings.ts";
import {binCounts, type CategoricalProfile, type ColumnProfile, type NumericProfile} from "./profile.ts";

/** When a column counts as drifted (the config's `monitor:` section). */
export interface DriftThresholds {
  /** Population stability index at or above this. */
  psi: number;
  /** KS (numeric) or chi-square (categorical) p-value below this; unset: not a flag on its own. */
  p_value?: number;
  /** Change in the share of missing values (absolute) at or above this. */
  missing: number;
  /** Share of a categorical column's present values never seen in training at or above this. */
  unseen: number;
}

/** A batch's values of one column, as counted in DuckDB. */
export type CurrentColumn =
  | {kind: "numeric"; rows: number; missing: number; sorted: Float64Array}
  | {kind: "categorical"; rows: number; missing: number; counts: ReadonlyMap<string, number>};

export interface ColumnDrift {
  name: string;
  kind: "numeric" | "categorical";
  rows: {reference: number; current: number};
  /** Share of rows with no value. */
  missing: {reference: number; current: number};
  /** Population stability index over the reference's bins (numeric) or categories; null: no values. */
  psi: number | null;
  test: "ks" | "chi2";
  statistic: number | null;
  p_value: number | null;
  /** Categorical: share of present values in categories training never had, and the commonest. */
  unseen?: {share: number; values: string[]};
  /** Reference and current shares per bin or category, for a chart side by side. */
  bins: {label: string; reference: number; current: number}[];
  /** Why the column counts as drifted (empty: it does not). */
  flags: string[];
}

/** A share of 0 would make PSI infinite: empty bins count as this share, as is usual. */
const FLOOR = 1e-4;
/** Categories a chart shows before pooling the rest. */
const CHART_CATEGORIES = 20;

/** Compares a batch's column with its training profile. */
export function compareColumn(
  reference: ColumnProfile,
  current: CurrentColumn,
  thresholds: DriftThresholds
): ColumnDrift {
  if (reference.kind !== current.kind)
    throw new Error(`column ${reference.name}: profiled as ${reference.kind}, counted as ${current.kind}`);
  const drift =
    reference.kind === "numeric"
      ? compareNumeric(reference, current as Extract<CurrentColumn, {kind: "numeric"}>)
      : compareCategorical(reference, current as Extract<CurrentColumn, {kind: "categorical"}>);
  drift.flags = flagsOf(drift, thresholds);
  return drift;
}

/** Σ (current − reference) · ln(current / reference) over bins, shares floored at 1e-4. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < reference.length; ++i) {
    const r = Math.max(reference[i], FLOOR);
    const c = Math.max(current[i], FLOOR);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

function compareNumeric(
  reference: NumericProfile,
  current: Extract<CurrentColumn, {kind: "numeric"}>
): ColumnDrift {
  const present = reference.rows - reference.missing;
  const n = current.sorted.length;
  const counts = binCounts(current.sorted, reference.edges);
  const shares = counts.map((c) => (n ? c / n : 0));
  let statistic: number | null = null;
  let p: number | null = null;
  if (present && n) {
    const values = Float64Array.from(reference.values);
    if (reference.exact) {
      // Every training value is kept: scipy's ks_2samp, to the digit.
      const r = ksTwoSample(values, current.sorted, {sorted: true});
      [statistic, p] = [r.statistic, r.pvalue];
    } else {
      // The training values' quantiles stand in for them (D within about 1/1000); the p-value is
      // the asymptotic one for the real sample sizes.
      statistic = ksTwoSample(values, current.sorted, {sorted: true, method: "asymp"}).statistic;
      p = kolmogorovSf(Math.round((present * n) / (present + n)), statistic);
    }
  }
  const e = reference.edges;
  // Whole numbers (a month, a count) one apart make a bin of one value: named by it.
  const whole = reference.values.every(Number.isInteger);
  const label = (i: number) =>
    whole && i > 0 && i < e.length && e[i] - e[i - 1] === 1
      ? short(e[i])
      : i === 0
        ? `≤ ${short(e[0])}`
        : i === e.length
          ? `> ${short(e[i - 1])}`
          : `${short(e[i - 1])} – ${short(e[i])}`;
  return {
    name: reference.name,
    kind: "numeric",
    rows: {reference: reference.rows, current: current.rows},
    missing: {
      reference: share(reference.missing, reference.rows),
      current: share(current.missing, current.rows)
    },
    psi: present && n ? psi(reference.shares, shares) : null,
    test: "ks",
    statistic,
    p_value: p,
    bins: e.length
      ? reference.shares.map((r, i) => ({label: label(i), reference: r, current: shares[i]}))
      : [],
    flags: []
  };
}

function compareCategorical(
  reference: CategoricalProfile,
  current: Extract<CurrentColumn, {kind: "categorical"}>
): ColumnDrift {
  const present = reference.rows - reference.missing;
  const n = current.rows - current.missing;
  const known = new Map(reference.counts);
  // Values beyond the reference's kept categories are its "other"; with none, a value it lacks
  // was never seen in training.
  const pooled = reference.other > 0;
  const unseen = [...current.counts].filter(([v]) => !known.has(v));
  const unseenCount = unseen.reduce((s, [, c]) => s + c, 0);
  const rest = pooled ? "(other)" : "(unseen)";
  const categories: {label: string; r: number; c: number}[] = [
    ...reference.counts.map(([v, r]) => ({label: v, r, c: current.counts.get(v) ?? 0})),
    ...(pooled || unseenCount ? [{label: rest, r: reference.other, c: unseenCount}] : [])
  ];
  let statistic: number | null = null;
  let p: number | null = null;
  if (present && n) {
    const used = categories.filter((k) => k.r + k.c > 0);
    const r = chiSquareContingency([used.map((k) => k.r), used.map((k) => k.c)]);
    [statistic, p] = [r.statistic, r.pvalue];
  }
  // The chart: the commonest categories (both sides together), the rest pooled.
  const ranked = [...categories].sort(
    (a, b) => b.r / (present || 1) + b.c / (n || 1) - (a.r / (present || 1) + a.c / (n || 1))
  );
  const shown = ranked.slice(0, CHART_CATEGORIES);
  const left = ranked.slice(CHART_CATEGORIES);
  const bins = [
    ...shown
      .sort((a, b) => (a.label === rest ? 1 : b.label === rest ? -1 : compareStrings(a.label, b.label)))
      .map((k) => ({label: k.label, reference: share(k.r, present), current: share(k.c, n)})),
    ...(left.length
      ? [
          {
            label: `${left.length} more`,
            reference: share(
              left.reduce((s, k) => s + k.r, 0),
              present
            ),
            current: share(
              left.reduce((s, k) => s + k.c, 0),
              n
            )
          }
        ]
      : [])
  ];
  return {
    name: reference.name,
    kind: "categorical",
    rows: {reference: reference.rows, current: current.rows},
    missing: {
      reference: share(reference.missing, reference.rows),
      current: share(current.missing, current.rows)
    },
    psi:
      present && n
        ? psi(
            categories.map((k) => k.r / present),
            categories.map((k) => k.c / n)
          )
        : null,
    test: "chi2",
    statistic,
    p_value: p,
    ...(pooled
      ? {}
      : {
          unseen: {
            share: share(unseenCount, n),
            values: unseen
              .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
              .slice(0, 5)
              .map(([v]) => v)
          }
        }),
    bins,
    flags: []
  };
}

/** What makes a column drifted, in words: `PSI 0.41 ≥ 0.2`, `missing 2% → 31%`. */
function flagsOf(d: ColumnDrift, t: DriftThresholds): string[] {
  const flags: string[] = [];
  if (d.psi !== null && d.psi >= t.psi) flags.push(`PSI ${short(d.psi)} ≥ ${t.psi}`);
  if (t.p_value !== undefined && d.p_value !== null && d.p_value < t.p_value)
    flags.push(`${d.test === "ks" ? "KS" : "chi-square"} p = ${short(d.p_value)} < ${t.p_value}`);
  if (Math.abs(d.missing.current - d.missing.reference) >= t.missing)
    flags.push(`missing ${percent(d.missing.reference)} → ${percent(d.missing.current)}`);
  if (d.unseen && d.unseen.share > 0 && d.unseen.share >= t.unseen)
    flags.push(
      `${percent(d.unseen.share)} of values never seen in training (${d.unseen.values.map((v) => JSON.stringify(v)).join(", ")})`
    );
  return flags;
}

function share(count: number, total: number): number {
  return total ? count / total : 0;
}

/** As shortNumber, but whole numbers as they are and four digits from 100 up (a PSI of 1250). */
export function short(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Number.isFinite(x) && Math.abs(x) >= 100 ? String(Number(x.toPrecision(4))) : shortNumber(x);
}

export function percent(x: number): string {
  const p = 100 * x;
  return `${p !== 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%`;
}
