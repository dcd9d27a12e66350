import {readFileSync} from "node:fs";

/** Reads a sklearn fixture; Python's json writes NaN bare, which JSON.parse rejects, so it becomes null. */
export function readFixture(name: string) {
  const text = readFileSync(new URL(`../../../fixtures/sklearn/${name}`, import.meta.url), "utf8");
  return JSON.parse(text.replace(/\bNaN\b/g, "null"));
}

export function numbers(values: (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v));
}

/** Asserts column-major `cols` equal row-major `rows` within `tol`. */
export function expectMatrix(cols: readonly Float64Array[], rows: number[][], tol: number): void {
  if (cols.length !== (rows[0]?.length ?? 0))
    throw new Error(`expected ${rows[0]?.length} columns, got ${cols.length}`);
  rows.forEach((row, i) =>
    row.forEach((want, j) => {
      const got = cols[j][i];
      if (!(Math.abs(got - want) <= tol)) throw new Error(`row ${i} col ${j}: got ${got}, expected ${want}`);
    })
  );
}
