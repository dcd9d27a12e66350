// Page data for the default pipeline (mlbook.yaml): the run summary and evaluation report.
import {report} from "../../src/loaders/report.ts";

process.stdout.write(JSON.stringify(await report("mlbook.yaml")));
