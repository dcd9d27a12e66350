// Page data of the home page: one row per pipeline of the project; see src/loaders/home.ts.
import {home} from "../../src/loaders/home.ts";
import {runLoader} from "../../src/loaders/runLoader.ts";

await runLoader(home);
