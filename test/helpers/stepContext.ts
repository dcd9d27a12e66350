import type {Db} from "../../src/pipeline/engine/db.ts";
import type {StepContext} from "../../src/pipeline/engine/step.ts";

/** What a step gets from the runner, over a test's own Db: its log goes to `log`. */
export function stepContext(db: Db, log: (message: string) => void = () => {}): StepContext {
  return {
    db,
    log,
    progress() {},
    numbered: (relation) => `(SELECT *, row_number() OVER () AS __row FROM ${relation})`
  };
}
