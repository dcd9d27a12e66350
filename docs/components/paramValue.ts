/**
 * A run's value of a param, or null when it has none: an empty section (`model.params: {}` of a
 * model left at its defaults) is no value either.
 */
export function paramValue(raw: unknown): unknown {
  if (raw && typeof raw === "object" && !Array.isArray(raw) && !Object.keys(raw).length) return null;
  return raw ?? null;
}

/** A param's value as text: strings without JSON quotes, lists and objects as JSON. */
export function paramLabel(raw: unknown): string {
  const v = paramValue(raw);
  return v === null ? "(not set)" : typeof v === "string" ? v : JSON.stringify(v);
}
