/** A tree's arrays as a bundle's JSON holds them. */
export interface TreeArrays {
  feature: readonly unknown[];
  left: readonly unknown[];
  right: readonly unknown[];
  threshold: readonly unknown[];
  value: readonly unknown[];
}

/**
 * Checks a tree read from a bundle before anything walks it: arrays as long as the node count
 * (`value` a multiple of it), numbers where numbers go, and each internal node's children after it
 * and in range — so every walk ends at a leaf (a node pointing at itself or outside the tree would
 * hang or crash scoring). `internal(i)` tells a split from a leaf in this tree family; a split's
 * feature must be below `features` when known. Throws naming the field: `where.left[5]`.
 */
export function checkTree(
  where: string,
  tree: TreeArrays,
  internal: (node: number) => boolean,
  features?: number
): void {
  for (const name of ["feature", "left", "right", "threshold", "value"] as const)
    if (!Array.isArray(tree[name])) throw new Error(`${where}.${name}: expected an array of numbers`);
  const n = tree.feature.length;
  if (n === 0) throw new Error(`${where}: a tree needs at least one node`);
  for (const name of ["left", "right", "threshold"] as const)
    if (tree[name].length !== n)
      throw new Error(`${where}.${name}: ${tree[name].length} entries for ${n} nodes`);
  if (tree.value.length === 0 || tree.value.length % n !== 0)
    throw new Error(`${where}.value: ${tree.value.length} entries for ${n} nodes`);
  const integer = (name: "feature" | "left" | "right", i: number): number => {
    const v = tree[name][i];
    if (typeof v !== "number" || !Number.isInteger(v))
      throw new Error(`${where}.${name}[${i}]: expected an integer`);
    return v;
  };
  for (let i = 0; i < n; ++i) {
    integer("feature", i);
    if (!internal(i)) continue;
    const f = integer("feature", i);
    if (f < 0 || (features !== undefined && f >= features))
      throw new Error(`${where}.feature[${i}]: ${f} is not a feature index (0…${(features ?? 1) - 1})`);
    for (const side of ["left", "right"] as const) {
      const child = integer(side, i);
      if (child <= i || child >= n)
        throw new Error(
          `${where}.${side}[${i}]: ${child} is not a node after ${i} (a child comes after its parent, below ${n})`
        );
    }
    const t = tree.threshold[i];
    if (t !== null && (typeof t !== "number" || Number.isNaN(t)))
      throw new Error(`${where}.threshold[${i}]: expected a number`);
  }
  for (let i = 0; i < tree.value.length; ++i)
    if (typeof tree.value[i] !== "number") throw new Error(`${where}.value[${i}]: expected a number`);
}
