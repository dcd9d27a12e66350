import type {LoadedConfig} from "../engine/config.ts";
import type {RunLogger} from "../engine/run.ts";
import {ingestRun} from "./ingestRun.ts";
import {removePending, writePending} from "./journal.ts";
import {buildRunRecord, type RunOutcome} from "./runRecord.ts";
import {trackingOf} from "./trackingPath.ts";
import {withProject} from "./withProject.ts";

let journalOnly = false;

/**
 * While on, a finished run in this process only goes to the journal, as a sweep job's does: the
 * sweep turns it on for its shared steps and writes every run to the database at its end.
 */
export function journalRunsOnly(on: boolean): void {
  journalOnly = on;
}

/**
 * Records a run (finished or failed). Never throws: tracking trouble must not fail a run whose
 * results are safely in the store. The record goes to the journal first, so a database that stays
 * locked delays the run's recording but never loses it.
 */
export async function trackRun(
  loaded: LoadedConfig,
  root: string,
  outcome: RunOutcome,
  logger: RunLogger
): Promise<string | null> {
  let file: string | undefined;
  try {
    const record = await buildRunRecord(loaded, root, outcome);
    file = await writePending(root, record);
    // A run that only found fresh steps made nothing new: its journaled record is enough for now
    // and reaches the database with the next tracking command or run that opens it. That keeps
    // DuckDB (a third of a second to load) off the path of "nothing changed".
    if (!outcome.error && outcome.steps.length && outcome.steps.every((s) => s.status === "fresh"))
      return null;
    // A sweep job leaves its record in the journal too: the sweep writes all of them at the end
    // in one transaction, instead of its workers queueing for the database's single writer.
    if ((journalOnly || process.env.MLBOOK_SWEEP_ID) && !outcome.error) return null;
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
