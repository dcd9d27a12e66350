// Observable Framework config for the mlbook report site. Pages live in docs/; data loaders in
// docs/data/ are thin wrappers over src/loaders/, which read the pipeline's stored artifacts.
export default {
  title: "mlbook",
  root: "docs",
  // The default stylesheet pulls Google Fonts; a shared report must work offline.
  globalStylesheets: [],
  // Keep .html in links so dist/ works from any static file server.
  cleanUrls: false,
  search: false,
  // No favicon file: an empty data URL keeps the browser from asking the server for one.
  head: '<link rel="icon" href="data:,">',
  footer: "Built with mlbook."
};
