import {describe, expect, it} from "vitest";
import {compareColumn, psi, type DriftThresholds} from "../../../../src/pipeline/ml/monitor/compare.ts";
import {
  categoricalProfile,
  numericProfile,
  SAMPLE_SIZE
} from "../../../../src/pipeline/ml/monitor/profile.ts";

const thresholds: DriftThresholds = {psi: 0.2, missing: 0.1, unseen: 0.05};
const sorted = (values: number[]) => Float64Array.from(values).sort();
const numeric = (values: number[], missing = 0) => ({
  kind: "numeric" as const,
  rows: values.length + missing,
  missing,
  sorted: sorted(values)
});
const categorical = (values: (string | null)[]) => {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return {
    kind: "categorical" as const,
    rows: values.length,
    missing: values.filter((v) => v === null).length,
    counts
  };
};

describe("a column's training profile", () => {
  it("keeps every value of a small column, decile bins and their shares, and counts missing ones", () => {
    const p = numericProfile(
      "x",
      Float64Array.from([...Array.from({length: 20}, (_, i) => 20 - i), NaN, NaN])
    );
    expect(p).toMatchObject({rows: 22, missing: 2, exact: true});
    expect(p.values).toEqual(Array.from({length: 20}, (_, i) => i + 1));
    expect(p.edges).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(p.shares).toEqual(Array(10).fill(0.1));
  });

  it("keeps quantiles (min and max among them) of a large column, and one bin per distinct value of a few", () => {
    const p = numericProfile(
      "x",
      Float64Array.from({length: 5000}, (_, i) => ((i * 7919) % 10007) / 100)
    );
    expect(p.exact).toBe(false);
    expect(p.values).toHaveLength(SAMPLE_SIZE);
    expect(p.values[0]).toBe(Math.min(...Array.from({length: 5000}, (_, i) => ((i * 7919) % 10007) / 100)));
    // Integers with ties (cylinders): the bins are the values, not ten equal-count slices.
    const c = numericProfile("cylinders", Float64Array.from([4, 4, 4, 4, 4, 6, 6, 6, 8, 8]));
    expect(c.edges).toEqual([4, 6]);
    expect(c.shares).toEqual([0.5, 0.3, 0.2]);
    // A bin of one whole number is named by it.
    const months = numericProfile(
      "month",
      Float64Array.from({length: 40}, (_, i) => 1 + (i % 4))
    );
    const may = compareColumn(months, numeric(Array(10).fill(5)), thresholds);
    expect(may.bins.map((b) => b.label)).toEqual(["≤ 1", "2", "3", "> 3"]);
    expect(may.bins.at(-1)).toEqual({label: "> 3", reference: 0.25, current: 1});
  });

  it("counts categories (missing apart), in value order", () => {
    const p = categoricalProfile("island", ["b", "a", null, "b"]);
    expect(p).toEqual({
      name: "island",
      kind: "categorical",
      rows: 4,
      missing: 1,
      counts: [
        ["a", 1],
        ["b", 2]
      ],
      other: 0
    });
  });
});

describe("comparing a batch with the profile", () => {
  it("computes PSI as Σ (c − r) ln(c / r), empty bins at 1e-4", () => {
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 15);
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo(
      -0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4),
      12
    );
    expect(psi([0.2, 0.8], [0.2, 0.8])).toBe(0);
  });

  it("gives scipy's ks_2samp when the profile kept every training value", () => {
    const ref = Array.from({length: 300}, (_, i) => ((i * 7919) % 1000) / 10);
    const cur = Array.from({length: 100}, (_, k) => ((k * 3 * 7919) % 1000) / 10 + 8);
    const d = compareColumn(numericProfile("x", Float64Array.from(ref)), numeric(cur), thresholds);
    // scipy.stats.ks_2samp(ref, cur): statistic 0.08333333333333333, pvalue 0.6603995246220851
    expect(d.statistic).toBeCloseTo(0.08333333333333333, 15);
    expect(d.p_value).toBeCloseTo(0.6603995246220851, 12);
    expect(d.test).toBe("ks");
  });

  it("comes close to scipy from 1,001 quantiles of a large column", () => {
    const ref = Array.from({length: 5000}, (_, i) => ((i * 7919) % 10007) / 100);
    const cur = Array.from({length: 715}, (_, k) => (((k * 7 * 7919) % 10007) / 100) * 1.05);
    const d = compareColumn(numericProfile("x", Float64Array.from(ref)), numeric(cur), thresholds);
    // scipy.stats.ks_2samp on all 5,000 values: statistic 0.04854965034965035, pvalue 0.10101869561079614
    expect(Math.abs(d.statistic! - 0.04854965034965035)).toBeLessThan(2e-3);
    expect(Math.abs(d.p_value! - 0.10101869561079614)).toBeLessThan(0.02);
  });

  it("flags a shifted column by PSI, names the threshold, and leaves a like one alone", () => {
    const ref = Float64Array.from({length: 1000}, (_, i) => ((i * 7919) % 1000) / 10);
    const same = compareColumn(
      numericProfile("x", ref),
      numeric(Array.from(ref).filter((_, i) => i % 4 === 0)),
      thresholds
    );
    expect(same.flags).toEqual([]);
    expect(same.psi).toBeLessThan(0.02);
    const moved = compareColumn(
      numericProfile("x", ref),
      numeric(Array.from(ref, (v) => v + 30)),
      thresholds
    );
    expect(moved.flags).toHaveLength(1);
    expect(moved.flags[0]).toMatch(/^PSI \d+(\.\d+)? ≥ 0\.2$/);
    expect(moved.bins).toHaveLength(10);
    expect(moved.bins[0]).toEqual({label: "≤ 9.9", reference: 0.1, current: 0});
  });

  it("flags a change in missing values, and p-values only when the config asks", () => {
    const ref = Float64Array.from({length: 200}, (_, i) => i % 50);
    const d = compareColumn(numericProfile("x", ref), numeric(Array.from(ref).slice(0, 150), 50), thresholds);
    expect(d.missing).toEqual({reference: 0, current: 0.25});
    expect(d.flags).toEqual(["missing 0% → 25%"]);
    // A small shift on many rows: significant, yet stable by PSI.
    const many = Float64Array.from({length: 20000}, (_, i) => (i % 500) / 10);
    const shifted = numeric(Array.from(many, (v) => v + 1));
    const plain = compareColumn(numericProfile("x", many), shifted, thresholds);
    expect(plain.psi).toBeLessThan(0.05);
    expect(plain.flags).toEqual([]);
    expect(compareColumn(numericProfile("x", many), shifted, {...thresholds, p_value: 0.05}).flags).toEqual([
      expect.stringMatching(/^KS p = [\d.e-]+ < 0\.05$/)
    ]);
  });

  it("tests categories by chi-square as scipy's chi2_contingency, and names unseen values", () => {
    const ref = categoricalProfile("c", [
      ...Array(50).fill("a"),
      ...Array(30).fill("b"),
      ...Array(20).fill("c")
    ]);
    const cur = categorical([...Array(20).fill("a"), ...Array(30).fill("b"), ...Array(50).fill("c")]);
    const d = compareColumn(ref, cur, thresholds);
    // scipy.stats.chi2_contingency([[50, 30, 20], [20, 30, 50]]): 25.714285714285715, 2.6074368808253592e-06
    expect(d.statistic).toBeCloseTo(25.714285714285715, 12);
    expect(d.p_value).toBeCloseTo(2.6074368808253592e-6, 18);
    expect(d.psi).toBeCloseTo(0.6 * Math.log(2.5), 12);
    const unseen = compareColumn(
      ref,
      categorical([...Array(90).fill("a"), ...Array(6).fill("z"), ...Array(4).fill("y")]),
      thresholds
    );
    expect(unseen.unseen).toEqual({share: 0.1, values: ["z", "y"]});
    expect(unseen.flags).toContain('10% of values never seen in training ("z", "y")');
  });
});
