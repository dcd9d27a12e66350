// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/features.ts.
import {features} from "../../../src/loaders/features.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(features);
