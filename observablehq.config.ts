// Observable Framework config for the mlbook report site. Pages live in docs/: docs/index.md is the
// home page (a row per pipeline), docs/[pipeline]/*.md are every pipeline's pages (a parameterised
// route per pipeline config). Data loaders in docs/data/ are thin wrappers over src/loaders/.
import {dynamicPaths, sidebar, switcherHeader} from "./src/site/siteConfig.ts";

const root = process.cwd();

export default {
  title: "mlbook",
  root: "docs",
  // Default theme and Inputs' CSS, bundled locally: the default global stylesheet pulls Google Fonts.
  style: "style.css",
  globalStylesheets: [],
  // Keep .html in links so dist/ works from any static file server.
  preserveExtension: true,
  preserveIndex: true,
  search: false,
  pages: [{name: "Home", path: "/index"}, ...sidebar(root)],
  dynamicPaths: dynamicPaths(root),
  header: ({path}: {path: string}) => switcherHeader(root, path),
  // No favicon file: an empty data URL keeps the browser from asking the server for one.
  head: '<link rel="icon" href="data:,">',
  footer: "Built with mlbook."
};
