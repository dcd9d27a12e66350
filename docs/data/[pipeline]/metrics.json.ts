// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/metrics.ts.
import {metrics} from "../../../src/loaders/metrics.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(metrics);
