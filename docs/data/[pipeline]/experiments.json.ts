// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/experiments.ts.
import {experiments} from "../../../src/loaders/experiments.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(experiments);
