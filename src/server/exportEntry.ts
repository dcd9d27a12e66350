// What an exported model folder's mlbook.mjs holds (`mlbook export`, bundled with esbuild): the
// public API — which the folder's compiled workspace modules import as "mlbook" — and the server.
export * from "../index.ts";
export {serveExport} from "./serveExport.ts";
