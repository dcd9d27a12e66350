import type {Db} from "../engine/db.ts";
import {badValue, columnTypes, FLAGS, POS, replay, view, type ReplayOptions} from "../engine/replay.ts";
import {quoteIdent, quoteString} from "../engine/sql.ts";
import type {ModelBundle, SignatureColumn} from "../ml/bundle.ts";
import {missingColumn} from "./readForModel.ts";
import {DataError} from "../errors.ts";

/** What scoring reads from the features relation: each feature, POS, and the row's warnings. */
export const WARNINGS = "__mlbook_warnings";
/** … and the row's first numeric feature that is not a finite number: [name, value], else NULL. */
export const NON_FINITE = "__mlbook_non_finite";

/**
 * Warnings a row gets from its features: every numeric input missing (the prediction would rest on
 * imputed values alone), or a value missing that training never saw missing.
 */
function featureWarnings(features: readonly SignatureColumn[]): string[] {
  const out: string[] = [];
  const numeric = features.filter((f) => f.kind === "numeric");
  if (numeric.length > 1)
    out.push(
      `CASE WHEN ${numeric.map((f) => `${quoteIdent(f.name)} IS NULL`).join(" AND ")} THEN ${quoteString(
        "every numeric input is missing: the prediction rests on imputed values"
      )} END`
    );
  for (const f of features)
    if (!f.nullable)
      out.push(
        `CASE WHEN ${quoteIdent(f.name)} IS NULL THEN ${quoteString(`${f.name} is missing, which training never saw (the model imputes it)`)} END`
      );
  return out;
}

/**
 * Prepares the features of raw rows in `input` (a relation with the signature's columns and POS):
 * the bundle's inference pipeline replayed (none: the rows are the features), then each feature
 * cast to what the model reads (numbers as DOUBLE, categories as VARCHAR), POS, and the row's
 * warnings as one text (null when none). A view: prepared once, read per batch.
 */
export async function prepareFeatures(
  db: Db,
  bundle: ModelBundle,
  input: string,
  options: ReplayOptions
): Promise<string> {
  const have = await columnTypes(db, input);
  const missing = bundle.signature.find((s) => !have.has(s.name));
  if (missing)
    throw missingColumn(
      missing,
      [...have.keys()].filter((c) => c !== POS)
    );
  const replayed = bundle.pipeline
    ? await replay(db, bundle.pipeline, input, options)
    : `(SELECT *, []::VARCHAR[] AS ${FLAGS} FROM ${input})`;
  const features = bundle.features.map((f) => `${cast(f)} AS ${quoteIdent(f.name)}`);
  const own = featureWarnings(bundle.features);
  const warnings = `CASE WHEN len(w) > 0 THEN array_to_string(w, '; ') END`;
  const numeric = bundle.features.filter((f) => f.kind === "numeric");
  const nonFinite = numeric.length
    ? `CASE ${numeric.map((f) => `WHEN NOT isfinite(${quoteIdent(f.name)}) THEN [${quoteString(f.name)}, CASE WHEN isnan(${quoteIdent(f.name)}) THEN 'NaN' WHEN ${quoteIdent(f.name)} > 0 THEN 'Infinity' ELSE '-Infinity' END]`).join(" ")} END`
    : "NULL::VARCHAR[]";
  return view(
    db,
    options,
    `SELECT ${[...bundle.features.map((f) => quoteIdent(f.name)), POS].join(", ")},
       ${warnings} AS ${WARNINGS}, ${nonFinite} AS ${NON_FINITE}
     FROM (SELECT ${[...features, POS].join(", ")},
       ${own.length ? `list_concat(${FLAGS}, list_filter([${own.join(", ")}], x -> x IS NOT NULL))` : FLAGS} AS w
       FROM ${replayed})`
  );
}

function cast(f: SignatureColumn): string {
  const c = quoteIdent(f.name);
  return f.kind === "numeric" ? `TRY_CAST(${c} AS DOUBLE)` : `CAST(${c} AS VARCHAR)`;
}

/**
 * The error for a row whose features hold NaN or ±Infinity (the steps made it of finite values,
 * e.g. log of 0): the model cannot score it. `row` counts from 1.
 */
export function nonFiniteError([name, value]: readonly [string, string], row: number): DataError {
  return new DataError(
    `row ${row}: feature ${JSON.stringify(name)} is ${value} after the pipeline's steps: the model cannot score it (check the row's inputs)`
  );
}

/** Checks a batch of raw rows against the signature's types: an error naming column and row, else none. */
export function checkBatch(db: Db, bundle: ModelBundle, input: string) {
  return badValue(db, bundle.signature, input);
}
