// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/monitoring.ts.
import {monitoring, runLoader} from "mlbook/loaders";

await runLoader(monitoring);
