/**
 * One error shape for everything a user can get wrong. `exitCode` tells the CLI how to exit:
 * 2 for bad config or arguments, 3 for failed data checks, 1 for bad data and failed steps.
 */
export class MlbookError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
    /** `cause`: the error behind this one (MLBOOK_DEBUG=1 prints the whole chain). */
    options?: {cause?: unknown}
  ) {
    super(message, options);
    this.name = "MlbookError";
  }
}

/** Bad config file, override or CLI argument: `invalid <key>: <value> (expected …)`. */
export class ConfigError extends MlbookError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, 2, options);
    this.name = "ConfigError";
  }
}

/** Bad input data: names the file and, where known, the column and row. */
export class DataError extends MlbookError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, 1, options);
    this.name = "DataError";
  }
}

/** Data that failed `severity: error` expectations: the message lists each failure; `report` is the check report. */
export class CheckFailedError extends MlbookError {
  constructor(
    message: string,
    readonly report: unknown
  ) {
    super(message, 3);
    this.name = "CheckFailedError";
  }
}

/** A failure worth retrying (network, busy database): never raised for bad input. */
export class TransientError extends MlbookError {
  constructor(message: string) {
    super(message, 1);
    this.name = "TransientError";
  }
}

/** Formats a value for an error message: short, JSON-like, never "[object Object]". */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
