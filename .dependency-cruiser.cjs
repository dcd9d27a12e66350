// The layers of src/ and the direction of their imports, checked by `npm test` (npm run deps).
// Each layer imports only from the layers below it; errors.ts is the one module all may import.
// Type-only imports count (tsPreCompilationDeps), so a cycle through types is a cycle too.
const layer = (name) => `^src/pipeline/${name}/`;
const below = {
  ml: [],
  engine: ["ml"],
  steps: ["engine", "ml"],
  tracking: ["engine", "ml"],
  score: ["engine", "ml"],
  sweep: ["tracking", "engine", "ml"],
  remote: ["engine"],
  queue: ["sweep", "tracking", "engine", "ml"]
};

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Modules import downward only: a cycle (type-only included) means two layers know each other.",
      from: {},
      to: {circular: true}
    },
    ...Object.entries(below).map(([name, allowed]) => ({
      name: `${name}-imports-down`,
      severity: "error",
      comment: `src/pipeline/${name}/ may import only ${allowed.length ? allowed.join(", ") + " and " : ""}errors.ts`,
      from: {path: layer(name)},
      to: {
        path: "^src/",
        pathNot: [layer(name), "^src/pipeline/errors\\.ts$", ...allowed.map(layer)]
      }
    })),
    {
      name: "pipeline-below-shells",
      severity: "error",
      comment:
        "The pipeline never imports the CLI, the site, the loaders or the model server (thin shells over it).",
      from: {path: "^src/pipeline/"},
      to: {path: "^src/(cli|site|loaders|server)/"}
    },
    {
      name: "loaders-below-cli",
      severity: "error",
      comment: "The loaders and the site are imported by the CLI, never the other way round.",
      from: {path: "^src/(site|loaders)/"},
      to: {path: "^src/cli/"}
    },
    {
      name: "server-below-cli",
      severity: "error",
      comment:
        "The model server (src/server) stands on the pipeline alone: the CLI and exports start it, not the other way round.",
      from: {path: "^src/server/"},
      to: {path: "^src/(cli|site|loaders)/"}
    },
    {
      name: "errors-is-a-leaf",
      severity: "error",
      from: {path: "^src/pipeline/errors\\.ts$"},
      to: {path: "^src/"}
    }
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: {fileName: "tsconfig.json"},
    doNotFollow: {path: "node_modules"},
    exclude: {path: "^(node_modules|lib|dist)/"}
  }
};
