// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/eda.ts.
import {eda} from "../../../src/loaders/eda.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(eda);
