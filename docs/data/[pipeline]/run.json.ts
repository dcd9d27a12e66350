// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/report.ts.
import {report} from "../../../src/loaders/report.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(report);
