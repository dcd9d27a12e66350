// Page data for one pipeline (Framework passes --pipeline=<name>); see src/loaders/checks.ts.
import {checks, runLoader} from "mlbook/loaders";

await runLoader(checks);
