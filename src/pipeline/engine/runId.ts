import {randomBytes} from "node:crypto";

/** A run's id: its start time (so ids sort by time) and 6 random hex digits. */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${t}-${randomBytes(3).toString("hex")}`;
}
