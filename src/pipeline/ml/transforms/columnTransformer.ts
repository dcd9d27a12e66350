import {z} from "zod";
import {ConfigError, DataError} from "../../errors.ts";
import type {Features} from "../types.ts";
import type {Column, Table} from "../table.ts";
import {applyBins, binsParams, fitBins, type BinsState} from "./bins.ts";
import {applyImpute, fitImpute, type CategoricalImputeState, type NumericImputeState} from "./impute.ts";
import {applyOneHot, fitOneHot, oneHotFeatureNames, oneHotParams, type OneHotState} from "./oneHot.ts";
import {applyOrdinal, fitOrdinal, type OrdinalState} from "./ordinal.ts";
import {parseParams} from "./parseParams.ts";
import {applyScale, fitScale, type ScaleState} from "./scale.ts";
import {applyTfidf, fitTfidf, tfidfParams, type TfidfState} from "./tfidf.ts";

const numericSpec = z.strictObject({
  /** Fill for missing numbers (default "median"); "none" leaves NaN for estimators that accept it. */
  impute: z.enum(["mean", "median", "most_frequent", "constant", "none"]).default("median"),
  /** The fill for impute "constant" (default 0). */
  fill_value: z.number().optional(),
  /**
   * Bins after imputation, as sklearn's KBinsDiscretizer(encode="ordinal"): the bin index, edges
   * learnt from the training rows (`{n_bins: 4, strategy: quantile | uniform}`). Default: none.
   */
  bins: binsParams.optional(),
  /** Scaling after imputation (and binning) (default "standard"). */
  scale: z.enum(["standard", "minmax", "none"]).default("standard")
});

const categoricalSpec = z.strictObject({
  /** Fill for missing strings (default "most_frequent"); "none" keeps null as a category of its own. */
  impute: z.enum(["most_frequent", "constant", "none"]).default("most_frequent"),
  /** The fill for impute "constant" (default "missing_value"). */
  fill_value: z.string().optional(),
  /** One column per category (default "onehot"), or one column of codes ("ordinal", unknown → -1). */
  encode: z.enum(["onehot", "ordinal"]).default("onehot"),
  ...oneHotParams.shape
});

const textSpec = z.strictObject({
  /**
   * TfidfVectorizer params; max_features defaults to 1000 here (sklearn: none) because the output is
   * dense, one column per term.
   */
  tfidf: tfidfParams.extend({max_features: z.int().min(1).nullable().default(1000)}).prefault({})
});

const columnType = z.enum(["numeric", "categorical", "text", "drop"]);

export const columnTransformerSpec = z.strictObject({
  /** Defaults for every number column. */
  numeric: numericSpec.prefault({}),
  /** Defaults for every string column not declared text. */
  categorical: categoricalSpec.prefault({}),
  /** Defaults for columns declared `type: "text"`. */
  text: textSpec.prefault({}),
  /**
   * Per-column overrides: `type` (default: numeric for numbers, categorical for strings; text must be
   * declared) plus any key of that type's spec, which replaces the default for this column.
   */
  columns: z.record(z.string(), z.looseObject({type: columnType.optional()})).default({})
});
export type ColumnTransformerSpec = z.input<typeof columnTransformerSpec>;

type Encoding = {kind: "onehot"; state: OneHotState} | {kind: "ordinal"; state: OrdinalState};

export type ColumnState =
  | {
      name: string;
      type: "numeric";
      impute: NumericImputeState | null;
      /** Absent in bundles from before binning. */
      bins?: BinsState | null;
      scale: ScaleState | null;
    }
  | {name: string; type: "categorical"; impute: CategoricalImputeState | null; encode: Encoding}
  | {name: string; type: "text"; tfidf: TfidfState};

/** Plain JSON: everything learnt from the training rows, in output order. */
export interface ColumnTransformerState {
  columns: ColumnState[];
}

export interface TransformedTable {
  X: Features;
  featureNames: string[];
  /** The input column each feature came from, to roll importances up. */
  sourceColumn: string[];
}

export interface FitColumnTransformerOptions {
  /** Fit on these row indices only (the training rows); default all rows. */
  rows?: ArrayLike<number>;
}

/** Learns each column's transform from the training rows only; nothing from other rows enters the state. */
export function fitColumnTransformer(
  table: Table,
  rawSpec?: ColumnTransformerSpec,
  options: FitColumnTransformerOptions = {}
): ColumnTransformerState {
  const spec = parseParams(columnTransformerSpec, rawSpec, "");
  for (const name of Object.keys(spec.columns)) {
    if (!(name in table.columns)) {
      throw new ConfigError(
        `invalid columns.${name}: no such column (columns: ${Object.keys(table.columns).join(", ")})`
      );
    }
  }
  const columns: ColumnState[] = [];
  for (const [name, full] of Object.entries(table.columns)) {
    const values = options.rows ? gather(full, options.rows) : full;
    const {type: declared, ...override} = spec.columns[name] ?? {};
    const type = declared ?? (values instanceof Float64Array ? "numeric" : "categorical");
    const where = `columns.${name}`;
    if (type === "drop") continue;
    if (type === "numeric") {
      if (!(values instanceof Float64Array)) {
        throw new ConfigError(
          `invalid ${where}.type: "numeric" (expected categorical or text: it holds strings)`
        );
      }
      const p = parseParams(numericSpec, {...spec.numeric, ...override}, where);
      const impute =
        p.impute === "none" ? null : fitImpute(values, {strategy: p.impute, fill_value: p.fill_value});
      const filled = impute ? applyImpute(impute, values) : values;
      const bins = p.bins ? fitBins(filled, p.bins) : null;
      const binned = bins ? applyBins(bins, filled) : filled;
      const scale = p.scale === "none" ? null : fitScale(binned, {method: p.scale});
      columns.push({name, type, impute, bins, scale});
    } else if (type === "categorical") {
      const p = parseParams(categoricalSpec, {...spec.categorical, ...override}, where);
      const strings = asStrings(values);
      const impute =
        p.impute === "none" ? null : fitImpute(strings, {strategy: p.impute, fill_value: p.fill_value});
      const filled = impute ? applyImpute(impute, strings) : strings;
      const {handle_unknown, max_categories, min_frequency} = p;
      const encode: Encoding =
        p.encode === "onehot"
          ? {kind: "onehot", state: fitOneHot(filled, {handle_unknown, max_categories, min_frequency})}
          : {kind: "ordinal", state: fitOrdinal(filled)};
      columns.push({name, type, impute, encode});
    } else {
      const nested = (override as {tfidf?: object}).tfidf;
      const p = parseParams(textSpec, {...override, tfidf: {...spec.text.tfidf, ...nested}}, where);
      columns.push({name, type, tfidf: fitTfidf(asStrings(values), p.tfidf)});
    }
  }
  return {columns};
}

export function applyColumnTransformer(state: ColumnTransformerState, table: Table): TransformedTable {
  const cols: Float64Array[] = [];
  const featureNames: string[] = [];
  const sourceColumn: string[] = [];
  const push = (name: string, out: Float64Array[], names: string[]) => {
    cols.push(...out);
    featureNames.push(...names);
    for (let k = 0; k < out.length; ++k) sourceColumn.push(name);
  };
  for (const column of state.columns) {
    const {name} = column;
    const values = table.columns[name];
    if (!values)
      throw new DataError(`column ${JSON.stringify(name)} is missing (the transform was fitted with it)`);
    if (column.type === "numeric") {
      if (!(values instanceof Float64Array))
        throw new DataError(`column ${JSON.stringify(name)} must hold numbers`);
      const filled = column.impute ? applyImpute(column.impute, values) : values;
      const binned = column.bins ? applyBins(column.bins, filled) : filled;
      // Unscaled, the column goes through as it is, not copied (Features are read-only).
      push(name, [column.scale ? applyScale(column.scale, binned) : binned], [name]);
    } else if (column.type === "categorical") {
      const strings = asStrings(values);
      const filled = column.impute ? applyImpute(column.impute, strings) : strings;
      if (column.encode.kind === "onehot") {
        push(name, applyOneHot(column.encode.state, filled), oneHotFeatureNames(column.encode.state, name));
      } else {
        push(name, [applyOrdinal(column.encode.state, filled)], [name]);
      }
    } else {
      const terms = column.tfidf.terms.map((t) => `${name}:${t}`);
      push(name, applyTfidf(column.tfidf, asStrings(values)), terms);
    }
  }
  return {X: {rows: table.rows, cols}, featureNames, sourceColumn};
}

function gather(column: Column, rows: ArrayLike<number>): Column {
  if (column instanceof Float64Array) {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; ++i) out[i] = column[rows[i]];
    return out;
  }
  return Array.from(rows, (r) => column[r]);
}

/** Numbers used as categories (codes, years) become their decimal text; NaN becomes missing. */
function asStrings(values: Column): readonly (string | null)[] {
  if (!(values instanceof Float64Array)) return values;
  return Array.from(values, (v) => (Number.isNaN(v) ? null : String(v)));
}
