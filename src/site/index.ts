/** What a workspace's observablehq.config.ts takes from mlbook (`import … from "mlbook/site"`). */
export {dynamicPaths, sidebar, sitePages, switcherHeader} from "./siteConfig.ts";
export {listPipelines, DEFAULT_CONFIG} from "./pipelines.ts";
