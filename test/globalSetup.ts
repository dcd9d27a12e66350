import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";

/**
 * Every temp folder the tests make (projects, copies of the repo, built sites) goes under one
 * folder of this run, removed when the run ends: test runs leave nothing behind in /tmp.
 * Set MLBOOK_KEEP_TEST_TMP=1 to keep it for a look.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-test-run-"));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.MLBOOK_KEEP_TEST_TMP === "1") console.log(`test temp folders kept in ${dir}`);
    else rmSync(dir, {recursive: true, force: true});
  };
}
