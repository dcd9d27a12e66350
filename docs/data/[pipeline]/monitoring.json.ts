// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/monitoring.ts.
import {monitoring} from "../../../src/loaders/monitoring.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(monitoring);
