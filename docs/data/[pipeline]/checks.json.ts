// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/checks.ts.
import {checks} from "../../../src/loaders/checks.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(checks);
