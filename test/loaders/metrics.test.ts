import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../src/pipeline/builtins.ts";
import {openDb} from "../../src/pipeline/engine/db.ts";
import {quoteString} from "../../src/pipeline/engine/sql.ts";
import {artifactFile, currentRun} from "../../src/loaders/currentRun.ts";
import {BINS, type ClassThresholds} from "../../src/loaders/classThresholds.ts";
import {metrics} from "../../src/loaders/metrics.ts";
import {tinyConfig, tinyProject} from "../helpers/project.ts";

/** The predictions artifact's rows, in their order, as the page's row numbers count them. */
async function predictions(config: string): Promise<Record<string, unknown>[]> {
  return artifactRows(config, "predictions");
}

/** A table artifact's rows, in their stored order. */
async function artifactRows(config: string, artifact: string): Promise<Record<string, unknown>[]> {
  const file = artifactFile(await currentRun(await loadConfig(config)), artifact)!;
  const db = await openDb({files: [file]});
  try {
    return await db.rows(`SELECT * FROM read_parquet(${quoteString(file)})`);
  } finally {
    db.close();
  }
}

describe("the metrics page data: worst errors, baseline, calibration, thresholds, errors by column", () => {
  it("lists a classifier's misclassified test rows, the least probability for the true class first", async () => {
    const dir = tinyProject();
    // A weak model (strong regularisation): it gets some rows wrong.
    writeFileSync(join(dir, "mlbook.yaml"), tinyConfig.replace("C: 1.0", "C: 0.01"));
    const config = join(dir, "mlbook.yaml");
    const data = await metrics({name: "tiny", loaded: await loadConfig(config)});
    const rows = await predictions(config);
    expect(data.worst.length).toBeGreaterThan(0);
    expect(data.worst.length).toBeLessThanOrEqual(10);
    const wrong = rows.filter((r) => r.actual !== r.prediction).length;
    expect(data.worst.length).toBe(Math.min(10, wrong));
    for (const w of data.worst) {
      const row = rows[w.row as number];
      expect([w.actual, w.prediction]).toEqual([row.actual, row.prediction]);
      expect(w.actual).not.toBe(w.prediction);
      expect(w.p_actual).toBe(row[`proba_${String(row.actual)}`]);
    }
    const p = data.worst.map((w) => w.p_actual as number);
    expect(p).toEqual([...p].sort((a, b) => a - b));

    // The baseline: always the commonest test class, or the classes' shares as probabilities.
    const count = (c: string) => rows.filter((r) => r.actual === c).length;
    const shares = ["a", "b", "c"].map((c) => count(c) / rows.length);
    const byName = Object.fromEntries(data.baseline.map((b) => [b.metric, b]));
    expect(byName.accuracy.baseline).toBeCloseTo(Math.max(...shares), 12);
    expect(byName.accuracy.model).toBe(data.headline.accuracy);
    expect(byName.balanced_accuracy.baseline).toBeCloseTo(1 / 3, 12);
    expect(byName.log_loss.baseline).toBeCloseTo(-shares.reduce((s, x) => s + x * Math.log(x), 0), 12);
    // Calibration, three classes: the top probability against how often the top class was right.
    const bins = new Map<number, {p: number; hit: number; n: number}>();
    for (const r of rows) {
      const conf = Math.max(r.proba_a as number, r.proba_b as number, r.proba_c as number);
      const bin = Math.min(Math.floor(conf * 10), 9);
      const b = bins.get(bin) ?? {p: 0, hit: 0, n: 0};
      bins.set(bin, {p: b.p + conf, hit: b.hit + (r.actual === r.prediction ? 1 : 0), n: b.n + 1});
    }
    expect(data.calibration.map((c) => c.bin)).toEqual([...bins.keys()].sort((a, b) => a - b));
    for (const c of data.calibration) {
      const b = bins.get(c.bin)!;
      expect(c.rows).toBe(b.n);
      expect(c.predicted).toBeCloseTo(b.p / b.n, 12);
      expect(c.observed).toBeCloseTo(b.hit / b.n, 12);
    }
    // Each class against the rest: the confusion matrix at every threshold, and the AUC.
    expect(data.thresholds.map((t) => t.class)).toEqual(["a", "b", "c"]);
    for (const t of data.thresholds) expectThresholds(t, rows);
  }, 60_000);

  it("bins a binary classifier's positive class for the threshold slider, with the AUC mlbook reports", async () => {
    const dir = tinyProject();
    const config = join(dir, "binary.yaml");
    writeFileSync(
      config,
      `name: tinybin
data: {source: data.csv, target: is_c, task: classification}
clean: {derive: {is_c: "CASE WHEN label = 'c' THEN 'yes' ELSE 'no' END"}}
features: {exclude: [label]}
model: {type: decision_tree, params: {max_depth: 3}}
`
    );
    const data = await metrics({name: "tinybin", loaded: await loadConfig(config)});
    const rows = await predictions(config);
    // A shallow tree gives many rows one probability: the AUC counts those ties half.
    expect(new Set(rows.map((r) => r.proba_yes)).size).toBeLessThan(rows.length / 4);
    expect(data.thresholds.map((t) => t.class)).toEqual(["yes"]);
    expectThresholds(data.thresholds[0], rows);
    expect(data.thresholds[0].auc).toBeCloseTo(data.headline.roc_auc, 12);
  }, 60_000);

  it("lists a regression's test rows by absolute error, largest first", async () => {
    const dir = tinyProject();
    const config = join(dir, "reg.yaml");
    writeFileSync(
      config,
      "name: tinyreg\ndata: {source: data.csv, target: x2, task: regression}\nmodel: {type: ridge}\n"
    );
    const data = await metrics({name: "tinyreg", loaded: await loadConfig(config)});
    const rows = await predictions(config);
    expect(data.worst).toHaveLength(10);
    const errors = rows
      .filter((r) => r.actual !== null)
      .map((r) => Math.abs((r.prediction as number) - (r.actual as number)))
      .sort((a, b) => b - a);
    expect(data.worst.map((w) => Math.abs(w.error as number))).toEqual(errors.slice(0, 10));
    for (const w of data.worst)
      expect(w.error).toBeCloseTo((w.prediction as number) - (w.actual as number), 12);
    // The baseline predicts the test rows' mean: R² 0, RMSE their standard deviation.
    const actual = rows.filter((r) => r.actual !== null).map((r) => r.actual as number);
    const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
    const byName = Object.fromEntries(data.baseline.map((b) => [b.metric, b]));
    expect(byName.r2).toEqual({metric: "r2", model: data.headline.r2, baseline: 0});
    expect(byName.rmse.baseline).toBeCloseTo(
      Math.sqrt(actual.reduce((s, y) => s + (y - mean) ** 2, 0) / actual.length),
      12
    );
    expect(byName.mae.baseline).toBeCloseTo(
      actual.reduce((s, y) => s + Math.abs(y - mean), 0) / actual.length,
      12
    );
    expect(data.calibration).toEqual([]);

    // Residuals, actual − predicted, counted per bin of the histogram's round width.
    const residuals = rows
      .filter((r) => r.actual !== null)
      .map((r) => (r.actual as number) - (r.prediction as number));
    const {width, bins} = data.residuals!;
    expect([1, 2, 2.5, 5]).toContain(Number((width / 10 ** Math.floor(Math.log10(width))).toFixed(6)));
    const counts = new Map<number, number>();
    for (const r of residuals)
      counts.set(Math.floor(r / width), (counts.get(Math.floor(r / width)) ?? 0) + 1);
    expect(bins).toEqual(
      [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, n]) => ({from: b * width, rows: n}))
    );
    expect(bins.length).toBeLessThanOrEqual(26);

    // Errors by column of the test rows, matched to the predictions by position.
    const test = await artifactRows(config, "test_data");
    expect(test.map((r) => r.x2)).toEqual(rows.map((r) => r.actual));
    const scored: (Record<string, unknown> & {error: number})[] = test.map((r, i) => ({
      ...r,
      error: (rows[i].actual as number) - (rows[i].prediction as number)
    }));
    const expectGroup = (
      g: {rows: number; mae: number; bias: number},
      of: {error: number}[],
      what: string
    ) => {
      expect(g.rows, what).toBe(of.length);
      expect(g.mae, what).toBeCloseTo(of.reduce((s, r) => s + Math.abs(r.error), 0) / of.length, 12);
      expect(g.bias, what).toBeCloseTo(of.reduce((s, r) => s + r.error, 0) / of.length, 12);
    };
    const by = Object.fromEntries(data.errorBy.map((c) => [c.column, c]));
    expect(Object.keys(by).sort()).toEqual(["colour", "label", "x1"]);
    // A text column: one group per value, the commonest first.
    expect(by.colour.kind).toBe("category");
    const colours = [...new Set(scored.map((r) => r.colour as string))];
    const ofColour = (c: string) => scored.filter((r) => r.colour === c);
    expect(by.colour.groups.map((g) => g.group)).toEqual(
      colours.sort((a, b) => ofColour(b).length - ofColour(a).length || a.localeCompare(b))
    );
    for (const g of by.colour.groups) expectGroup(g, ofColour(g.group), `colour ${g.group}`);
    // A number with many values: about ten ranges that split no value, then the missing ones.
    expect(by.x1.kind).toBe("numeric");
    const ranges = by.x1.groups.filter((g) => g.from !== null);
    expect(ranges.length).toBeGreaterThanOrEqual(8);
    expect(ranges.length).toBeLessThanOrEqual(10);
    for (const [i, g] of ranges.entries()) {
      if (i) expect(g.from!).toBeGreaterThan(ranges[i - 1].to!);
      const inside = scored.filter(
        (r) => r.x1 !== null && (r.x1 as number) >= g.from! && (r.x1 as number) <= g.to!
      );
      expect(g.from).toBe(Math.min(...inside.map((r) => r.x1 as number)));
      expect(g.to).toBe(Math.max(...inside.map((r) => r.x1 as number)));
      expectGroup(g, inside, `x1 ${g.group}`);
    }
    const missing = scored.filter((r) => r.x1 === null);
    expect(missing.length).toBeGreaterThan(0);
    expect(by.x1.groups.at(-1)!.group).toBe("(missing)");
    expectGroup(by.x1.groups.at(-1)!, missing, "x1 missing");
  }, 60_000);
});

/**
 * A class's bins against the rows: at every threshold k / BINS, the rows of the class (and of the
 * others) whose probability for it is at least the threshold are those of bins k on; the AUC is the
 * share of (class, other) pairs the probability orders right, ties counting half.
 */
function expectThresholds(t: ClassThresholds, rows: Record<string, unknown>[]) {
  const p = (r: Record<string, unknown>) => r[`proba_${t.class}`] as number;
  const pos = rows.filter((r) => r.actual === t.class).map(p);
  const neg = rows.filter((r) => r.actual !== t.class).map(p);
  const from = (a: number[], k: number) => a.slice(k).reduce((x, y) => x + y, 0);
  for (let k = 0; k <= BINS; ++k) {
    expect(from(t.positive, k), `${t.class} positives at ${k}`).toBe(pos.filter((x) => x >= k / BINS).length);
    expect(from(t.negative, k), `${t.class} negatives at ${k}`).toBe(neg.filter((x) => x >= k / BINS).length);
  }
  let pairs = 0;
  for (const a of pos) for (const b of neg) pairs += a > b ? 1 : a === b ? 0.5 : 0;
  expect(t.auc).toBeCloseTo(pairs / (pos.length * neg.length), 12);
}
