// Apart from db.ts, which loads DuckDB: error handling on every run's path must not load it.

/**
 * The file DuckDB refused to reach because a FileAccess does not allow it (`text` is the part of
 * the message saying so), or undefined for any other error.
 */
export function deniedFile(error: unknown): {path: string; text: string} | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const denied = /Permission Error: Cannot access (?:file|directory) "([^"]*)"[^\n]*/.exec(message);
  return denied ? {path: denied[1], text: denied[0]} : undefined;
}
