import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {eda, type ColumnProfile, type EdaData} from "../../src/loaders/eda.ts";
import {binGrid} from "../../src/loaders/eda/binGrid.ts";
import {createRng} from "../../src/pipeline/ml/rng.ts";
import {tinyConfig, tinyProject} from "../helpers/project.ts";

/** The Data page's data: what a regression's target is correlated with, and a classifier's is not. */
describe("the eda page data", () => {
  it("correlates a numeric target with the features, first; a class label stays out", async () => {
    const dir = tinyProject();
    writeFileSync(
      join(dir, "reg.yaml"),
      "name: tinyreg\ndata: {source: data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    const reg = await eda({name: "tinyreg", loaded: await loadConfig(join(dir, "reg.yaml"))});
    expect(reg.correlation.columns).toEqual(["x2", "x1"]);
    expect(reg.correlation.values[0][0]).toBeCloseTo(1, 12);
    expect(Math.abs(reg.correlation.values[0][1] ?? 0)).toBeGreaterThan(0.3); // x2 follows the class, as x1 does
    writeFileSync(join(dir, "mlbook.yaml"), tinyConfig);
    const cls = await eda({name: "tiny", loaded: await loadConfig(join(dir, "mlbook.yaml"))});
    expect(cls.correlation.columns).toEqual(["x1", "x2"]);
  }, 60_000);
});

/**
 * A table with one column of each kind a profile tells apart, its numbers known here: whole
 * numbers 0–7, decimals with two far outliers, whole numbers stored as decimals, free text,
 * dates written as text, a category and the class (i mod 3), and a numeric target for regression.
 */
const rowsOf = (n = 240) => {
  const rng = createRng(3);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return Array.from({length: n}, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1 + i));
    const tail = i === 7 ? 1000 : i === 11 ? -500 : Math.round((5 + 2 * rng.normal()) * 100) / 100;
    return {
      n: i % 8,
      tail,
      whole: ((i % 5) * 10).toFixed(1),
      title: `a film called number ${i}${i % 40 === 0 ? "" : ` of ${i % 13} parts`}`,
      day: `${months[day.getUTCMonth()]} ${String(day.getUTCDate()).padStart(2, "0")} ${day.getUTCFullYear()}`,
      colour: ["red", "green", "blue"][((i % 3) + (i % 7 === 0 ? 1 : 0)) % 3],
      gap: i % 10 === 3 ? null : i % 4,
      y: 2 * (i % 8) + rng.normal(),
      label: ["a", "b", "c"][i % 3]
    };
  });
};
type Row = ReturnType<typeof rowsOf>[number];

function project(target: string, task: string): {dir: string; rows: Row[]} {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-eda-"));
  const rows = rowsOf();
  const keys = Object.keys(rows[0]) as (keyof Row)[];
  const csv = [
    keys.join(","),
    ...rows.map((r) => keys.map((k) => (r[k] === null ? "" : String(r[k]))).join(","))
  ];
  writeFileSync(join(dir, "data.csv"), csv.join("\n") + "\n");
  writeFileSync(
    join(dir, "mlbook.yaml"),
    `name: kinds\ndata: {source: data.csv, target: ${target}, task: ${task}}\nfeatures: {exclude: [title]}\nsplit: {test_size: 0.25, seed: 7}\nmodel: {type: ${task === "regression" ? "ridge" : "logistic_regression"}}\n`
  );
  return {dir, rows};
}

const column = <K extends ColumnProfile["kind"]>(data: EdaData, name: string, kind: K) => {
  const c = data.columns.find((x) => x.name === name)!;
  expect(c.kind, name).toBe(kind);
  return c as Extract<ColumnProfile, {kind: K}>;
};
const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** η: the root of the share of `value`'s sum of squares that the groups' means explain. */
function eta(values: number[], groups: string[]): number {
  const m = mean(values);
  let between = 0;
  for (const g of new Set(groups)) {
    const own = values.filter((_, i) => groups[i] === g);
    between += own.length * (mean(own) - m) ** 2;
  }
  return Math.sqrt(between / values.reduce((s, v) => s + (v - m) ** 2, 0));
}

describe("the Data page's profile of each kind of column", () => {
  it("bins whole numbers one per value, clips a long tail at the 1st–99th percentile, and breaks bins down by class", async () => {
    const {dir, rows} = project("label", "classification");
    const data = await eda({name: "kinds", loaded: await loadConfig(join(dir, "mlbook.yaml"))});
    expect(data.rows).toBe(rows.length);
    expect(data.classes).toEqual(["a", "b", "c"]);
    expect(data.completeRows).toBe(count(rows, (r) => r.gap !== null));

    // Whole numbers 0–7: a bin per value, [v, v+1), and in each the rows of each class.
    const n = column(data, "n", "numeric");
    expect(n.integer).toBe(true);
    expect(n.bins.map((b) => [b.lo, b.hi])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((v) => [v, v + 1]));
    for (const b of n.bins) {
      const inBin = rows.filter((r) => r.n === b.lo);
      expect(b.count).toBe(inBin.length);
      expect(b.byClass).toEqual(data.classes.map((k) => count(inBin, (r) => r.label === k)));
    }
    // Whole numbers stored as decimals are whole numbers too; 0–40 in steps of 10 gets width 2.
    const whole = column(data, "whole", "numeric");
    expect(whole.type).toBe("DOUBLE");
    expect(whole.integer).toBe(true);
    expect(whole.bins.every((b) => Number.isInteger(b.lo) && Number.isInteger(b.hi))).toBe(true);

    // Two outliers stretch the range to 1,500 wide; the clipped bins cover where the values are.
    const tail = column(data, "tail", "numeric");
    expect(tail.integer).toBe(false);
    expect([tail.stats.min, tail.stats.max]).toEqual([-500, 1000]);
    const values = rows.map((r) => r.tail);
    const clipped = tail.clipped!;
    expect(clipped.below).toBe(count(values, (v) => v < clipped.lo));
    expect(clipped.above).toBe(count(values, (v) => v > clipped.hi));
    expect(clipped.below).toBeGreaterThanOrEqual(1);
    expect(clipped.above).toBeGreaterThanOrEqual(1);
    expect(clipped.hi - clipped.lo).toBeLessThan(20);
    for (const b of clipped.bins) {
      const last = b === clipped.bins.at(-1);
      expect(b.count).toBe(
        count(
          values,
          (v) => v >= b.lo && (v < b.hi || (last && v <= b.hi)) && v >= clipped.lo && v <= clipped.hi
        )
      );
    }
    expect(clipped.bins.reduce((s, b) => s + b.count, 0) + clipped.below + clipped.above).toBe(rows.length);
    // Whole-number columns that fit in their range clip nothing: no clipped bins.
    expect(n.clipped).toBeNull();

    // Free text: lengths and repeated values, no bar per value; left out of the features by the config.
    const title = column(data, "title", "text");
    const lengths = rows.map((r) => r.title.length);
    expect(title.length).toEqual({
      min: Math.min(...lengths),
      mean: expect.closeTo(mean(lengths), 9),
      max: Math.max(...lengths)
    });
    expect(title.bins.reduce((s, b) => s + b.count, 0)).toBe(rows.length);
    expect(title.notFeature).toBe(true);
    expect(data.association.map((a) => a.column)).not.toContain("title");

    // Dates written as text are dates: by month over Jan–Aug 2024, each month's rows counted.
    const day = column(data, "day", "date");
    expect(day.format).toBe("%b %d %Y");
    expect(day.unit).toBe("month");
    expect(day.bins.map((b) => b.lo.slice(0, 7))).toEqual(
      ["01", "02", "03", "04", "05", "06", "07", "08"].map((m) => `2024-${m}`)
    );
    for (const b of day.bins)
      expect(b.count, b.lo).toBe(
        count(rows, (r) =>
          r.day.startsWith(
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"][Number(b.lo.slice(5, 7)) - 1]
          )
        )
      );

    // A category: its values' rows by class.
    const colour = column(data, "colour", "categorical");
    for (const b of colour.bins)
      expect(b.byClass).toEqual(
        data.classes.map((k) => count(rows, (r) => r.colour === b.value && r.label === k))
      );

    // Association with the class: η of a number across classes, Cramér's V of a category, strongest first.
    const byColumn = Object.fromEntries(data.association.map((a) => [a.column, a]));
    expect(byColumn.n.measure).toBe("eta");
    expect(byColumn.n.value).toBeCloseTo(
      eta(
        rows.map((r) => r.n),
        rows.map((r) => r.label)
      ),
      9
    );
    const labelled = rows.filter((r) => r.gap !== null);
    expect(byColumn.gap.value).toBeCloseTo(
      eta(
        labelled.map((r) => r.gap!),
        labelled.map((r) => r.label)
      ),
      9
    );
    const table = ["red", "green", "blue"].map((c) =>
      ["a", "b", "c"].map((k) => count(rows, (r) => r.colour === c && r.label === k))
    );
    const chi2 = table.flat().reduce((s, o, i) => {
      const [r, k] = [Math.floor(i / 3), i % 3];
      const e = (table[r].reduce((a, b) => a + b, 0) * table.reduce((a, row) => a + row[k], 0)) / rows.length;
      return s + (o - e) ** 2 / e;
    }, 0);
    expect(byColumn.colour.measure).toBe("v");
    expect(byColumn.colour.value).toBeCloseTo(Math.sqrt(chi2 / (rows.length * 2)), 9);
    const strengths = data.association.map((a) => a.value);
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
  }, 60_000);

  it("gives a regression the target's mean per bin and Pearson's r of each number", async () => {
    const {dir, rows} = project("y", "regression");
    const data = await eda({name: "kinds", loaded: await loadConfig(join(dir, "mlbook.yaml"))});
    expect(data.classes).toEqual([]);
    const n = column(data, "n", "numeric");
    for (const b of n.bins)
      expect(b.mean).toBeCloseTo(mean(rows.filter((r) => r.n === b.lo).map((r) => r.y)), 9);
    const r = data.association.find((a) => a.column === "n")!;
    const xs = rows.map((row) => row.n);
    const ys = rows.map((row) => row.y);
    const [mx, my] = [mean(xs), mean(ys)];
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
    const pearson =
      cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    expect(r).toEqual({column: "n", measure: "r", value: expect.closeTo(pearson, 9)});
    // A category against a numeric target: η of the target across its values.
    const colour = data.association.find((a) => a.column === "colour")!;
    expect(colour.measure).toBe("eta");
    expect(colour.value).toBeCloseTo(
      eta(
        ys,
        rows.map((row) => row.colour)
      ),
      9
    );
  }, 60_000);
});

describe("bin grids", () => {
  it("gives whole numbers a bin each when they fit, else whole widths of 1, 2 or 5 × 10^k", () => {
    expect(binGrid(3, 8, true)).toEqual({start: 3, width: 1, count: 6});
    expect(binGrid(172, 231, true)).toEqual({start: 172, width: 2, count: 30});
    expect(binGrid(-30, 139, true)).toEqual({start: -30, width: 10, count: 17});
    expect(binGrid(1613, 5140, true)).toEqual({start: 1600, width: 200, count: 18});
    // Decimals get decimal widths, edges on multiples of them.
    expect(binGrid(32.1, 59.6, false)).toEqual({start: 32, width: 1, count: 28});
    expect(binGrid(13.1, 21.5, false)).toEqual({start: 13, width: 0.5, count: 18});
    expect(binGrid(5, 5, false).count).toBe(1);
  });
});
