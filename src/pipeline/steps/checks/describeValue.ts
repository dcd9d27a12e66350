/** A value as a message shows it: strings quoted, numbers to 6 significant digits, null as null. */
export function describeValue(value: unknown): string {
  if (typeof value === "number")
    return String(Number.isInteger(value) ? value : Number(value.toPrecision(6)));
  if (value === null || value === undefined) return "null";
  return JSON.stringify(value);
}

/** "1 row", "3 rows". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
