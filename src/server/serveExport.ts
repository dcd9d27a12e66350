import {readFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {compiledModules} from "../pipeline/engine/moduleSource.ts";
import {ConfigError} from "../pipeline/errors.ts";
import {loadModel} from "../pipeline/score/model.ts";
import {MANIFEST, type ExportManifest} from "./exportManifest.ts";
import {parseSize} from "./parseSize.ts";
import {serveUntilStopped, warmModel} from "./serveUntilStopped.ts";

/**
 * Serves the model of an exported folder (`npm start` there): its bundle and compiled modules,
 * nothing of the workspace it came from. Options: `--host` / HOST (default 127.0.0.1), `--port` /
 * PORT (default 5000), `--max-body` / MAX_BODY (default 16mb).
 */
export async function serveExport(
  dir: string,
  argv: readonly string[] = process.argv.slice(2)
): Promise<void> {
  const {values} = parseArgs({
    args: [...argv],
    options: {host: {type: "string"}, port: {type: "string"}, "max-body": {type: "string"}}
  });
  const host = values.host ?? process.env.HOST ?? "127.0.0.1";
  const portText = values.port ?? process.env.PORT ?? "5000";
  if (!/^\d+$/.test(portText) || Number(portText) > 65535)
    throw new ConfigError(`invalid port: ${portText} (expected 0-65535)`);
  const maxBody = parseSize(values["max-body"] ?? process.env.MAX_BODY ?? "16mb");
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as ExportManifest;
  const source = join(dir, manifest.bundle);
  const model = await warmModel(
    await loadModel(source, {base: dir, modules: compiledModules(dir, manifest.modules)})
  );
  await serveUntilStopped(
    {model, name: manifest.name, version: manifest.version, run: manifest.run, source: manifest.bundle},
    {host, port: Number(portText), maxBody, version: manifest.mlbook}
  );
}
