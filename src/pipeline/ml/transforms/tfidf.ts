import {z} from "zod";
import {compareStrings} from "./compareStrings.ts";
import {parseParams} from "./parseParams.ts";

export const tfidfParams = z.strictObject({
  /** Lowercase before tokenising (default true). */
  lowercase: z.boolean().default(true),
  /** Keep only the most frequent terms over the corpus (default none, as sklearn). */
  max_features: z.int().min(1).nullable().default(null),
  /** Drop terms found in fewer documents than this count (default 1). */
  min_df: z.int().min(1).default(1),
  /** Replace tf with 1 + log(tf) (default false). */
  sublinear_tf: z.boolean().default(false),
  /** Weight by inverse document frequency (default true). */
  use_idf: z.boolean().default(true),
  /** Add one to document frequencies, as if a document held every term once (default true). */
  smooth_idf: z.boolean().default(true),
  /** Row normalisation (default "l2"). */
  norm: z.enum(["l2", "l1", "none"]).default("l2"),
  /** A fixed vocabulary instead of one learnt from the corpus (default none). */
  vocabulary: z.array(z.string()).nullable().default(null)
});
export type TfidfParams = z.input<typeof tfidfParams>;

export interface TfidfState {
  /** Terms in output order: sorted by code point, as sklearn's vocabulary. */
  terms: string[];
  idf: number[];
  lowercase: boolean;
  sublinear_tf: boolean;
  norm: "l2" | "l1" | "none";
}

/**
 * sklearn's default token pattern `(?u)\b\w\w+\b`: runs of two or more word characters. Python's
 * Unicode `\w` is letters, numbers and underscore (no combining marks); greedy matching from the left
 * makes every match a whole maximal run, so the `\b` anchors need no lookbehind.
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

export function tokenize(doc: string | null, lowercase = true): string[] {
  if (doc === null) return [];
  return (lowercase ? doc.toLowerCase() : doc).match(TOKEN) ?? [];
}

/**
 * Fits vocabulary and idf. With max_features, terms are ranked by total count over the corpus and
 * ties go to the term that sorts first. sklearn ranks with numpy's unstable argsort, whose choice
 * among tied terms depends on the CPU's SIMD sort, so no rule can match it on every machine.
 * A null document is an empty one.
 */
export function fitTfidf(docs: readonly (string | null)[], raw?: TfidfParams): TfidfState {
  const p = parseParams(tfidfParams, raw, "tfidf");
  const total = new Map<string, number>();
  const df = new Map<string, number>();
  for (const doc of docs) {
    const seen = new Set<string>();
    for (const t of tokenize(doc, p.lowercase)) {
      total.set(t, (total.get(t) ?? 0) + 1);
      seen.add(t);
    }
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
  }
  let terms: string[];
  if (p.vocabulary) {
    terms = [...new Set(p.vocabulary)].sort(compareStrings);
  } else {
    terms = [...df.keys()].filter((t) => (df.get(t) ?? 0) >= p.min_df).sort(compareStrings);
    if (p.max_features !== null && terms.length > p.max_features) {
      const order = terms.map((_, i) => i);
      order.sort((a, b) => (total.get(terms[b]) ?? 0) - (total.get(terms[a]) ?? 0) || a - b);
      const kept = order.slice(0, p.max_features).sort((a, b) => a - b);
      terms = kept.map((i) => terms[i]);
    }
  }
  const smooth = p.smooth_idf ? 1 : 0;
  const n = docs.length + smooth;
  const idf = terms.map((t) => (p.use_idf ? Math.log(n / ((df.get(t) ?? 0) + smooth)) + 1 : 1));
  return {terms, idf, lowercase: p.lowercase, sublinear_tf: p.sublinear_tf, norm: p.norm};
}

/** Dense TF-IDF columns, one per term; rows with no known term stay all zero. */
export function applyTfidf(state: TfidfState, docs: readonly (string | null)[]): Float64Array[] {
  const index = new Map<string, number>();
  state.terms.forEach((t, k) => index.set(t, k));
  const cols = state.terms.map(() => new Float64Array(docs.length));
  const counts = new Map<number, number>();
  for (let i = 0; i < docs.length; ++i) {
    counts.clear();
    for (const t of tokenize(docs[i], state.lowercase)) {
      const k = index.get(t);
      if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    // Column order, as sklearn sums a sorted CSR row, so norms round the same way.
    const present = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    for (const k of present) {
      const c = counts.get(k) ?? 0;
      const w = (state.sublinear_tf ? Math.log(c) + 1 : c) * state.idf[k];
      cols[k][i] = w;
      norm += state.norm === "l2" ? w * w : Math.abs(w);
    }
    if (state.norm === "none" || norm === 0) continue;
    if (state.norm === "l2") norm = Math.sqrt(norm);
    for (const k of present) cols[k][i] /= norm;
  }
  return cols;
}
