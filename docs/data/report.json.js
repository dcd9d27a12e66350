// Page data for the default pipeline (mlbook.yaml), shown on the home page; see src/loaders/report.ts.
import {report, runLoader} from "mlbook/loaders";

await runLoader(report);
