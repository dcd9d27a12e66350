export interface RolledUp {
  column: string;
  value: number;
}

/**
 * Adds up per-feature values (importances, their std) into the source columns the features came from,
 * e.g. `island=Biscoe`, `island=Dream` → `island`, sorted by value, largest first (ties keep first
 * appearance). An empty source name means the feature is its own source.
 *
 * `how: "sum"` (default) is for means: the drops of the one-hot parts add up. `how: "rss"`
 * (root of the sum of squares) is for standard deviations: the std of a sum of independent
 * quantities is √Σσ², whereas adding the σ would overstate the spread. Both treat each part's
 * shuffle as independent, which is an approximation; shuffling the parts together would be exact.
 */
export function rollUp(
  values: Float64Array,
  featureNames: readonly string[],
  sourceColumn: readonly string[],
  how: "sum" | "rss" = "sum"
): RolledUp[] {
  if (values.length !== featureNames.length || sourceColumn.length !== featureNames.length) {
    throw new Error(
      `rollUp: ${values.length} values, ${featureNames.length} feature names and ${sourceColumn.length} sources (expected one each per feature)`
    );
  }
  const totals = new Map<string, number>();
  for (let j = 0; j < values.length; ++j) {
    const column = sourceColumn[j] || featureNames[j];
    const v = how === "rss" ? values[j] * values[j] : values[j];
    totals.set(column, (totals.get(column) ?? 0) + v);
  }
  const out = Array.from(totals, ([column, total]) => ({
    column,
    value: how === "rss" ? Math.sqrt(total) : total
  }));
  return out.sort((a, b) => b.value - a.value);
}
