/**
 * Adds a run of trees' outputs to `out[i]` for the rows [start, stop) of a block (`rows`, row-major,
 * `nf` values a row, the block's first row at offset 0), each row's trees summed in tree order.
 */
export type CompiledTrees = (
  rows: Float64Array,
  nf: number,
  out: Float64Array,
  start: number,
  stop: number
) => void;

/** What compiling reads of a boosting tree (HgbTree): node 0 is the root, a leaf has feature −1. */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

/**
 * Nodes per generated function. V8 optimises a function only once it has run a while, and a large
 * one later: on flights' 600k test rows × 100 trees (61 nodes each), a first prediction took
 * 1.0 / 0.83 / 0.91 / 0.90 / 1.95 s with 61 / 200 / 400 / 800 / 2000 nodes a function, and
 * 0.70 / 0.50 / 0.41 / 0.36 s once optimised (the walk: 1.6 s).
 */
const NODES_PER_FUNCTION = 500;
/** Deeper trees are walked, not compiled: nested conditionals that deep strain the parser. */
const MAX_DEPTH = 64;

/**
 * Compiles trees to JavaScript functions of nested conditionals: each split becomes a comparison
 * with a constant, so a row's walk loads no node arrays and V8 predicts each branch at its own
 * site (600k rows × 100 trees: 0.9 s instead of 1.6 s the first time, 0.4 s once V8 has
 * optimised the functions).
 *
 * The source holds nothing but numbers from the trees' typed arrays (feature indices, thresholds,
 * leaf values, each written so it reads back to the same double), so a bundle cannot put code in
 * it. Null where code cannot be generated (`--disallow-code-generation-from-strings`) or a tree
 * is deeper than MAX_DEPTH: callers then walk the trees.
 *
 * The results are the same numbers as the walk's: a split sends `x <= threshold` left and NaN
 * the way `missingLeft` says (`!(x > t)` is true for NaN, `x <= t` false), and a row's sum adds the
 * trees' values in the same order.
 */
export function compileTrees(trees: readonly TreeArrays[]): CompiledTrees[] | null {
  const functions: CompiledTrees[] = [];
  let body: string[] = [];
  let nodes = 0;
  const flush = () => {
    if (!body.length) return;
    functions.push(
      new Function(
        "rows",
        "nf",
        "out",
        "start",
        "stop",
        `"use strict";\nfor (let i = start; i < stop; ++i) {\n  const b = (i - start) * nf;\n  let x = out[i];\n${body.join("\n")}\n  out[i] = x;\n}`
      ) as CompiledTrees
    );
    body = [];
    nodes = 0;
  };
  try {
    for (const tree of trees) {
      const source = treeSource(tree, 0, 0);
      if (source === null) return null;
      body.push(`  x += ${source};`);
      nodes += tree.feature.length;
      if (nodes >= NODES_PER_FUNCTION) flush();
    }
    flush();
  } catch {
    return null; // no code generation here: walk
  }
  return functions;
}

function treeSource(tree: TreeArrays, node: number, depth: number): string | null {
  const f = tree.feature[node];
  if (f < 0) return literal(tree.value[node]);
  if (depth >= MAX_DEPTH) return null;
  const left = treeSource(tree, tree.left[node], depth + 1);
  const right = treeSource(tree, tree.right[node], depth + 1);
  if (left === null || right === null) return null;
  const x = `rows[b + ${f | 0}]`;
  const t = literal(tree.threshold[node]);
  return `(${tree.missingLeft[node] ? `!(${x} > ${t})` : `${x} <= ${t}`} ? ${left} : ${right})`;
}

/** A double as source that reads back to the same double (String(-0) would lose the sign). */
function literal(v: number): string {
  const n = Number(v);
  return Object.is(n, -0) ? "-0" : `(${String(n)})`;
}
