// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/features.ts.
import {features, runLoader} from "mlbook/loaders";

await runLoader(features);
