// Page data for the default pipeline (mlbook.yaml), shown on the home page; see src/loaders/report.ts.
import {report} from "../../src/loaders/report.ts";
import {runLoader} from "../../src/loaders/runLoader.ts";

await runLoader(report);
