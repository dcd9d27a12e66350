// Page data of the home page: one row per pipeline of the project; see src/loaders/home.ts.
import {home, runLoader} from "mlbook/loaders";

await runLoader(home);
