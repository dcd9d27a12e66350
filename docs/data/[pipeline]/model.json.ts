// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/modelCard.ts.
import {modelCard} from "../../../src/loaders/modelCard.ts";
import {runLoader} from "../../../src/loaders/runLoader.ts";

await runLoader(modelCard);
