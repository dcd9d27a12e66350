// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/eda.ts.
import {eda, runLoader} from "mlbook/loaders";

await runLoader(eda);
