// Batch scoring at scale: `mlbook predict` (the whole CLI: start, model load, the inference
// pipeline replayed on raw rows in DuckDB, the model, Parquet written) on
//   - 3,000,000 raw flights rows with the flights model (100-tree boosting; the window feature
//     replayed from the bundle's state over all 3M rows), and
//   - 3,000,000 raw penguins rows (jittered) with the penguins model (logistic regression after
//     the workspace step beak_ratio, replayed from its module).
// Wall time, rows/s and peak RSS of the predict process. Targets (issue 14): ≥ 200,000 rows/s
// boosting, ≥ 1,000,000 rows/s logistic regression, 3M flights rows in ≤ 1 GB peak RSS.
// Beside it, pandas + scikit-learn on the same raw rows (as CSV: Debian's python3 has no pyarrow)
// with an equivalent model fitted on the same training rows: read, features (for flights the
// rolling mean over earlier flights by origin), predict_proba, write — each timed, and the
// predict_proba alone. Python comes from `python3` or Debian's /usr/bin/python3
// (apt-get install python3-sklearn python3-pandas), whichever has scikit-learn.
import {cpSync, mkdtempSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {openDb} from "../src/pipeline/engine/db.ts";
import {quoteString} from "../src/pipeline/engine/sql.ts";
import {measure, pythonWith} from "./measure.ts";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = 3_000_000;

/** The scikit-learn side: fit as the mlbook pipeline does, then score the 3M raw rows, timed by phase. */
const SKLEARN = `
import json, sys, time
import numpy as np, pandas as pd
kind, train_path, input_path, output = sys.argv[1:5]
t = {}
if kind == "penguins":
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    def features(df):
        df = df.replace({"Sex": {".": None}})
        df["beak_ratio"] = df["Beak Length (mm)"] / df["Beak Depth (mm)"]
        return df
    train = features(pd.read_json(train_path)).dropna(subset=["Species"])
    num = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "beak_ratio"]
    pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
      ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), ["Island", "Sex"])])
    model = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(train[num + ["Island", "Sex"]], train["Species"])
    s = time.perf_counter(); df = pd.read_csv(input_path); t["read"] = time.perf_counter() - s
    s = time.perf_counter(); X = features(df)[num + ["Island", "Sex"]]; t["features"] = time.perf_counter() - s
    s = time.perf_counter(); p = model.predict_proba(X); t["predict"] = time.perf_counter() - s
    classes = list(model.classes_)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier
    def features(df):
        df = df.copy()
        df["date"] = pd.to_datetime(df["date"])
        df["month"] = df["date"].dt.month
        df["weekday"] = (df["date"].dt.dayofweek + 1) % 7
        df["hour"] = df["date"].dt.hour
        df = df.sort_values("date", kind="stable")
        df["origin_recent_delay"] = df.groupby("origin")["delay"].transform(lambda s: s.shift(1).rolling(50, min_periods=1).mean())
        return df.sort_index()
    cols = ["distance", "origin", "destination", "month", "weekday", "hour", "origin_recent_delay"]
    train = features(pd.read_csv(train_path))
    train = train[train["delay"].notna()]
    cut = train["date"].quantile(0.8)
    train = train[train["date"] < cut]
    cats = {c: pd.CategoricalDtype(sorted(train[c].dropna().unique())) for c in ["origin", "destination"]}
    def encode(df):
        X = df[cols].copy()
        for c, d in cats.items():
            X[c] = X[c].astype(d).cat.codes.replace(-1, np.nan)
        return X
    model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, early_stopping=False, random_state=0)
    model.fit(encode(train), train["delay"] > 15)
    s = time.perf_counter(); df = pd.read_csv(input_path); t["read"] = time.perf_counter() - s
    s = time.perf_counter(); X = encode(features(df)); t["features"] = time.perf_counter() - s
    s = time.perf_counter(); p = model.predict_proba(X); t["predict"] = time.perf_counter() - s
    classes = ["no", "yes"]
s = time.perf_counter()
out = pd.DataFrame(p, columns=["proba_" + str(c) for c in classes])
out.insert(0, "prediction", np.asarray(classes)[p.argmax(axis=1)])
out.to_csv(output, index=False)
t["write"] = time.perf_counter() - s
print(json.dumps(t))
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-bench-batch-"));
  for (const name of ["bin", "src", "pipelines", "steps", "models", "mlbook.yaml", "package.json"])
    cpSync(join(repo, name), join(dir, name), {recursive: true, filter: (src) => !src.includes(".mlbook")});
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function cli(dir: string, args: string[]) {
  const run = measure(process.execPath, ["bin/mlbook.js", ...args], {cwd: dir});
  if (run.status !== 0) throw new Error(`mlbook ${args.join(" ")} failed:\n${run.stderr}`);
  return run;
}

const dir = project();
const flightsData = join(repo, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
const penguinsRows = join(dir, "penguins-3m.parquet");
{
  // 3M penguins rows: the raw columns as the data file has them, numbers jittered.
  const db = await openDb();
  const source = join(repo, "node_modules", "vega-datasets", "data", "penguins.json");
  await db.run(
    `COPY (SELECT Island, "Beak Length (mm)" + (hash(i) % 1000) / 1000.0 AS "Beak Length (mm)",
            "Beak Depth (mm)" + (hash(i + 1) % 1000) / 1000.0 AS "Beak Depth (mm)",
            "Flipper Length (mm)", "Body Mass (g)", Sex
          FROM (SELECT p.*, r.range * 1000 + row_number() OVER () AS i
                FROM range(${Math.ceil(ROWS / 344)}) r, read_json_auto(${quoteString(source)}) p) LIMIT ${ROWS})
     TO ${quoteString(penguinsRows)} (FORMAT parquet)`
  );
  db.close();
}

const table: string[][] = [["", "rows", "wall s", "rows/s", "peak RSS MiB", "target"]];
for (const c of [
  {
    name: "flights, boosting (100 trees)",
    config: "pipelines/flights.yaml",
    ref: "model",
    input: flightsData,
    target: 200_000
  },
  {
    name: "penguins, logistic regression",
    config: "mlbook.yaml",
    ref: "penguins-model@latest",
    input: penguinsRows,
    target: 1_000_000
  }
]) {
  cli(dir, ["run", "-c", c.config]);
  // CSV out (as pandas writes below) and Parquet out; and for flights, DuckDB given 2 GB.
  for (const [ext, extra] of [
    ["csv", []],
    ["parquet", []],
    ...(c.config.includes("flights") ? [["parquet", ["--memory", "2GB"]]] : [])
  ] as [string, string[]][]) {
    const out = join(dir, `scored-${c.ref.replace(/\W/g, "")}.${ext}`);
    const scored = cli(dir, ["predict", "-c", c.config, "-m", c.ref, c.input, "-o", out, ...extra]);
    const rate = ROWS / scored.seconds;
    table.push([
      `mlbook predict: ${c.name}, ${ext} out${extra.length ? ` ${extra.join(" ")}` : ""}`,
      ROWS.toLocaleString("en-US"),
      scored.seconds.toFixed(2),
      Math.round(rate).toLocaleString("en-US"),
      scored.peakMiB?.toFixed(0) ?? "–",
      `≥ ${c.target.toLocaleString("en-US")} rows/s: ${rate >= c.target ? "met" : "NOT met"}`
    ]);
  }
}
const python = pythonWith(["sklearn", "pandas"]);
if (python) {
  const script = join(dir, "score.py");
  writeFileSync(script, SKLEARN);
  const data = (name: string) => join(repo, "node_modules", "vega-datasets", "data", name);
  for (const c of [
    {
      name: "flights, boosting (100 trees)",
      kind: "flights",
      train: data("flights-3m.parquet"),
      input: flightsData
    },
    {
      name: "penguins, logistic regression",
      kind: "penguins",
      train: data("penguins.json"),
      input: penguinsRows
    }
  ]) {
    // The same raw rows as CSV, which pandas reads without pyarrow.
    const csv = join(dir, `${c.kind}-3m.csv`);
    const db = await openDb();
    await db.run(
      `COPY (SELECT * FROM read_parquet(${quoteString(c.input)})) TO ${quoteString(csv)} (HEADER true)`
    );
    let trainCsv = c.train;
    if (c.kind === "flights") {
      trainCsv = join(dir, "flights-train.csv");
      await db.run(
        `COPY (SELECT * FROM read_parquet(${quoteString(c.train)})) TO ${quoteString(trainCsv)} (HEADER true)`
      );
    }
    db.close();
    const run = measure(python, [script, c.kind, trainCsv, csv, join(dir, `${c.kind}-sklearn.csv`)], {
      env: process.env
    });
    if (run.status !== 0) throw new Error(`python failed:\n${run.stderr}`);
    const t = JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, number>;
    const total = t.read + t.features + t.predict + t.write;
    table.push([
      `pandas+sklearn: ${c.name}`,
      ROWS.toLocaleString("en-US"),
      total.toFixed(2),
      Math.round(ROWS / total).toLocaleString("en-US"),
      run.peakMiB?.toFixed(0) ?? "–",
      `read ${t.read.toFixed(1)} s, features ${t.features.toFixed(1)} s, predict_proba ${t.predict.toFixed(1)} s (${Math.round(ROWS / t.predict).toLocaleString("en-US")} rows/s), write ${t.write.toFixed(1)} s`
    ]);
  }
}
for (const r of table) console.log(r.map((v, i) => (i ? `  ${v.padStart(12)}` : v.padEnd(72))).join(""));
console.log("peak RSS target for 3M flights rows: ≤ 1024 MiB");
if (!python)
  console.log(
    "pandas+sklearn: not run — no python3 here has scikit-learn and pandas (apt-get install python3-sklearn python3-pandas)"
  );
else
  console.log(
    "pandas+sklearn: wall s is the sum of its phases after the fit (start-up and fitting not counted); its threads are OpenMP's default"
  );
