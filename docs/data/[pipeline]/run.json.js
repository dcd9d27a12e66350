// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/report.ts.
import {report, runLoader} from "mlbook/loaders";

await runLoader(report);
