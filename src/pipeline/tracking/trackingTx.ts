export type SqlValue = string | number | boolean | null;

/** The tracking database inside one transaction: parameterised statements, small results. */
export interface TrackingTx {
  run(sql: string, values?: readonly SqlValue[]): Promise<void>;
  rows<T = Record<string, unknown>>(sql: string, values?: readonly SqlValue[]): Promise<T[]>;
}

/** A project's tracking: the store root (for the journal and store) and the database file. */
export interface Tracking {
  root: string;
  path: string;
}
