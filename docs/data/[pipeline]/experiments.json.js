// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/experiments.ts.
import {experiments, runLoader} from "mlbook/loaders";

await runLoader(experiments);
