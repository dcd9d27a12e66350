import type {RunOutcome} from "../engine/hooks.ts";
import {ingestRun} from "./ingestRun.ts";
import {removePending, writePending} from "./journal.ts";
import {buildRunRecord, type SweepPart} from "./runRecord.ts";
import {trackingOf} from "./trackingPath.ts";
import {withProject} from "./withProject.ts";

export interface TrackOptions {
  /** The sweep the run belongs to, and its part in it. */
  sweep?: SweepPart;
  /**
   * Leave a finished run in the journal: a sweep's jobs (and its shared steps) wait there for the
   * sweep's one transaction at its end, instead of queueing for the database's single writer.
   */
  journalOnly?: boolean;
  /** Where the run came from: "preview" for the live preview's loaders (registers no model). */
  source?: "preview";
}

/**
 * Records a run (finished or failed). Never throws: tracking trouble must not fail a run whose
 * results are safely in the store. The record goes to the journal first, so a database that stays
 * locked delays the run's recording but never loses it.
 */
export async function trackRun(outcome: RunOutcome, options: TrackOptions = {}): Promise<string | null> {
  const {loaded, root, logger} = outcome;
  let file: string | undefined;
  try {
    const record = await buildRunRecord(outcome, options.sweep, options.source);
    file = await writePending(root, record);
    // A run that only found fresh steps made nothing new: its journaled record is enough for now
    // and reaches the database with the next tracking command or run that opens it. That keeps
    // DuckDB (a third of a second to load) off the path of "nothing changed".
    if (!outcome.error && outcome.steps.length && outcome.steps.every((s) => s.status === "fresh"))
      return null;
    if (options.journalOnly && !outcome.error) return null;
    const {note} = await withProject(trackingOf(loaded, root), (tx) => ingestRun(tx, record));
    await removePending([file]);
    if (note) logger.info(note);
    return note;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.info(
      `tracking: run ${outcome.runId} not recorded yet (${message})${file ? "; it waits in the journal" : ""}`
    );
    return null;
  }
}
