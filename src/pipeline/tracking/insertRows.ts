import type {SqlValue, TrackingTx} from "./trackingTx.ts";

/** Inserts rows in one statement; `verb` may be "INSERT OR IGNORE" or "INSERT OR REPLACE". */
export async function insertRows(
  tx: TrackingTx,
  table: string,
  rows: readonly SqlValue[][],
  verb = "INSERT"
): Promise<void> {
  if (!rows.length) return;
  const placeholders = `(${rows[0].map(() => "?").join(", ")})`;
  await tx.run(`${verb} INTO ${table} VALUES ${rows.map(() => placeholders).join(", ")}`, rows.flat());
}
