import {describe, expect, it} from "vitest";
import {
  applyColumnTransformer,
  fitColumnTransformer
} from "../../../../src/pipeline/ml/transforms/columnTransformer.ts";
import type {Table} from "../../../../src/pipeline/ml/table.ts";
import {expectMatrix, numbers, readFixture} from "./fixture.ts";

const fx = readFixture("preprocessing.json");
const TOL = 1e-9;

const table = (): Table => ({
  rows: 8,
  columns: {
    age: numbers([30, null, 50, 20, 40, 35, 60, 25]),
    city: ["oslo", "rome", null, "oslo", "rome", "oslo", "paris", "lima"],
    note: ["Red car", "blue car", null, "red bike", "Old car", "bike", "red red", "new bike"]
  }
});
const train = [0, 1, 2, 3, 4];
const spec = {columns: {note: {type: "text" as const, tfidf: {max_features: 3}}}};

describe("columnTransformer", () => {
  it("defaults to median + standard for numbers and most_frequent + one-hot for strings", () => {
    const t: Table = {rows: 7, columns: {a: numbers(fx.table.a), b: numbers(fx.table.b), c: fx.table.c}};
    const state = fitColumnTransformer(t);
    const out = applyColumnTransformer(state, t);
    expect(out.featureNames).toEqual(["a", "b", "c=x", "c=y", "c=z"]);
    expect(out.sourceColumn).toEqual(["a", "b", "c", "c", "c"]);
    expect(out.X.rows).toBe(7);
    expectMatrix(out.X.cols.slice(0, 2), fx.standard_scaler, TOL);
    // c's missing value is imputed to "x", the most frequent.
    expect([...out.X.cols[2]]).toEqual([1, 0, 1, 1, 0, 1, 0]);
  });

  it("bins a number as sklearn's SimpleImputer → KBinsDiscretizer(encode=ordinal) → StandardScaler", () => {
    // scikit-learn 1.2.1 (whose quantiles are numpy's "linear"), on these rows:
    //   make_pipeline(SimpleImputer(strategy="median"), KBinsDiscretizer(n_bins=4, encode="ordinal",
    //     strategy=S), StandardScaler()).fit(train).transform(test)
    const train: Table = {
      rows: 11,
      columns: {x: numbers([3.1, null, 7.4, 1.2, 5.5, 9.9, 2.2, 6.0, 4.4, 8.8, 0.5])}
    };
    const test: Table = {rows: 5, columns: {x: numbers([null, -3.0, 4.4, 100.0, 5.0])}};
    const expected = {
      quantile: {
        edges: [0.5, 2.6500000000000004, 4.95, 6.7, 9.9],
        out: [
          0.3928371006591931, -1.3356461422412562, -0.4714045207910316, 1.2570787221094177, 0.3928371006591931
        ]
      },
      uniform: {
        edges: [0.5, 2.85, 5.2, 7.550000000000001, 9.9],
        out: [
          -0.3405026123034993, -1.2768847961381227, -0.3405026123034993, 1.5322617553657474,
          -0.3405026123034993
        ]
      }
    };
    for (const strategy of ["quantile", "uniform"] as const) {
      const bins = {n_bins: 4, strategy, quantile_method: "linear" as const};
      const state = fitColumnTransformer(train, {columns: {x: {bins}}});
      const column = state.columns[0] as {bins: {edges: number[]}};
      for (const [i, edge] of expected[strategy].edges.entries())
        expect(column.bins.edges[i]).toBeCloseTo(edge, 12);
      const out = applyColumnTransformer(JSON.parse(JSON.stringify(state)), test);
      expectMatrix(
        out.X.cols,
        expected[strategy].out.map((v) => [v]),
        TOL
      );
    }
    // Unbinned columns are as before: no bins in their state.
    expect((fitColumnTransformer(train).columns[0] as {bins: unknown}).bins).toBeNull();
  });

  it("names tf-idf features col:term and round-trips its state through JSON", () => {
    const state = fitColumnTransformer(table(), spec);
    const copy = JSON.parse(JSON.stringify(state));
    expect(copy).toEqual(state);
    const out = applyColumnTransformer(copy, table());
    expect(out.featureNames).toEqual([
      "age",
      "city=lima",
      "city=oslo",
      "city=paris",
      "city=rome",
      "note:bike",
      "note:car",
      "note:red"
    ]);
    expect(out.sourceColumn).toEqual(["age", "city", "city", "city", "city", "note", "note", "note"]);
  });

  it("learns only from the training rows: changing other rows changes nothing fitted", () => {
    const base = fitColumnTransformer(table(), spec, {rows: train});
    const changed = table();
    (changed.columns.age as Float64Array).set([1e6, -5, NaN], 5);
    const city = changed.columns.city as (string | null)[];
    city[5] = "tokyo";
    city[6] = null;
    city[7] = "nairobi";
    const note = changed.columns.note as (string | null)[];
    note[5] = "zebra zebra zebra";
    note[7] = "zebra crossing";
    const refit = fitColumnTransformer(changed, spec, {rows: train});
    expect(refit).toEqual(base);

    // The fitted categories are the training rows' only, and unseen ones encode as all zeros.
    const out = applyColumnTransformer(refit, changed);
    const cityCols = out.featureNames.flatMap((n, j) => (n.startsWith("city=") ? [j] : []));
    expect(cityCols.map((j) => out.featureNames[j])).toEqual(["city=oslo", "city=rome"]);
    for (const row of [5, 7]) for (const j of cityCols) expect(out.X.cols[j][row]).toBe(0);
    // Missing city at apply time is imputed with the training mode, "oslo".
    expect(out.X.cols[cityCols[0]][6]).toBe(1);
    expect(out.featureNames).not.toContain("note:zebra");
  });

  it("fits on all rows without the option, and differs from the train-only fit", () => {
    const all = fitColumnTransformer(table(), spec);
    const trainOnly = fitColumnTransformer(table(), spec, {rows: train});
    expect(all).not.toEqual(trainOnly);
  });

  it("honours per-column overrides and drops", () => {
    const state = fitColumnTransformer(table(), {
      numeric: {scale: "minmax"},
      columns: {city: {encode: "ordinal"}, note: {type: "drop"}}
    });
    const out = applyColumnTransformer(state, table());
    expect(out.featureNames).toEqual(["age", "city"]);
    expect(Math.min(...out.X.cols[0])).toBe(0);
    expect(Math.max(...out.X.cols[0])).toBe(1);
  });

  it("rejects unknown keys and columns with errors naming them", () => {
    expect(() => fitColumnTransformer(table(), {numeric: {scaler: "standard"}} as never)).toThrow(
      /^invalid numeric: .*scaler/
    );
    expect(() => fitColumnTransformer(table(), {columns: {age: {impute: "mode"}}})).toThrow(
      /^invalid columns\.age\.impute: "mode" \(expected one of/
    );
    expect(() => fitColumnTransformer(table(), {columns: {nope: {type: "drop"}}})).toThrow(/columns\.nope/);
  });
});
