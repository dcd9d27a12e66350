/**
 * The report pages' data, for a workspace's loaders (`import {eda, runLoader} from "mlbook/loaders"`):
 * each function makes one page's data for the pipeline Framework names (`--pipeline=`); runLoader
 * prints it as the loader's output.
 */
export {loaderOutput, runLoader} from "./runLoader.ts";
export {pipelineContext, type PipelineContext} from "./pipelineContext.ts";
export {checks} from "./checks.ts";
export {eda} from "./eda.ts";
export {experiments} from "./experiments.ts";
export {features} from "./features.ts";
export {home} from "./home.ts";
export {metrics} from "./metrics.ts";
export {modelCard} from "./modelCard.ts";
export {monitoring} from "./monitoring.ts";
export {report} from "./report.ts";
