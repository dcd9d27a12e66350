// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/metrics.ts.
import {metrics, runLoader} from "mlbook/loaders";

await runLoader(metrics);
