import {z} from "zod";
import {parseParams} from "./parseParams.ts";

export const polynomialParams = z.strictObject({
  /** Highest total degree (default 2, as sklearn's PolynomialFeatures). */
  degree: z.int().min(1).max(4).default(2),
  /** Only products of distinct features, no powers (default false). */
  interaction_only: z.boolean().default(false),
  /** Prepend a column of ones named "1" (default true, as sklearn). */
  include_bias: z.boolean().default(true)
});
export type PolynomialParams = z.input<typeof polynomialParams>;

/** Each output term as the input indices it multiplies, in sklearn's order; names as sklearn's. */
export interface PolynomialState {
  terms: number[][];
  names: string[];
}

/** Terms by degree, then lexicographic index combinations (itertools.combinations[_with_replacement]). */
export function fitPolynomial(inputNames: readonly string[], raw?: PolynomialParams): PolynomialState {
  const {degree, interaction_only, include_bias} = parseParams(polynomialParams, raw, "polynomial");
  const terms: number[][] = include_bias ? [[]] : [];
  const extend = (prefix: number[], from: number, left: number) => {
    if (!left) {
      terms.push(prefix);
      return;
    }
    for (let j = from; j < inputNames.length; ++j)
      extend([...prefix, j], interaction_only ? j + 1 : j, left - 1);
  };
  for (let d = 1; d <= degree; ++d) extend([], 0, d);
  return {terms, names: terms.map((t) => termName(t, inputNames))};
}

function termName(term: number[], names: readonly string[]): string {
  if (!term.length) return "1";
  const parts: string[] = [];
  for (let i = 0; i < term.length;) {
    let j = i + 1;
    while (j < term.length && term[j] === term[i]) ++j;
    parts.push(j - i > 1 ? `${names[term[i]]}^${j - i}` : names[term[i]]);
    i = j;
  }
  return parts.join(" ");
}

export function applyPolynomial(state: PolynomialState, cols: readonly Float64Array[]): Float64Array[] {
  const rows = cols.length ? cols[0].length : 0;
  return state.terms.map((term) => {
    const out = new Float64Array(rows).fill(1);
    for (const j of term) {
      const col = cols[j];
      for (let i = 0; i < rows; ++i) out[i] *= col[i];
    }
    return out;
  });
}
