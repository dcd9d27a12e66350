// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/modelCard.ts.
import {modelCard, runLoader} from "mlbook/loaders";

await runLoader(modelCard);
