/** `mlbook-export.json`: what an exported model folder holds, written by `mlbook export`. */
export interface ExportManifest {
  /** mlbook's version that wrote it (GET /version). */
  mlbook: string;
  /** The bundle file, relative to the folder. */
  bundle: string;
  name?: string;
  version?: number;
  run?: string;
  /** Workspace modules the bundle uses, compiled: code digest → file relative to the folder. */
  modules: Record<string, string>;
}

export const MANIFEST = "mlbook-export.json";
