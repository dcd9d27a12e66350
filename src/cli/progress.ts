import type {RunLogger, StepRecord} from "../pipeline/engine/runTypes.ts";
import {formatStep} from "./format.ts";

/**
 * Prints one line per finished step; on a terminal, a live line shows the step at work and its
 * progress so a long fit is visibly alive. Quiet mode (for --json) prints nothing.
 */
export function terminalLogger(quiet = false): RunLogger {
  const live = !quiet && process.stderr.isTTY;
  let shown = false;
  const clear = () => {
    if (!shown) return;
    process.stderr.write("\r\x1b[2K");
    shown = false;
  };
  return {
    step(record: StepRecord) {
      if (quiet) return;
      clear();
      process.stdout.write(`${formatStep(record)}\n`);
    },
    progress(step, done, total) {
      if (!live) return;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
      process.stderr.write(`\r\x1b[2K  ${step.padEnd(10)} running… ${pct}% (${done}/${total})`);
      shown = true;
    },
    info(message) {
      if (quiet) return;
      clear();
      process.stderr.write(`  ${message}\n`);
    }
  };
}
