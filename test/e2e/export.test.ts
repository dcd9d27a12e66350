import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {loadModel} from "../../src/pipeline/score/model.ts";
import {copyOfRepo, mlbook, run} from "../helpers/project.ts";
import {invoke, startServing} from "../helpers/server.ts";

/**
 * `mlbook export`: a folder that serves the model with nothing of the workspace — tried on the
 * pipelines whose models need workspace code (cars: a model module; penguins: a replayed step),
 * installed with npm in a fresh folder and started after the workspace is gone.
 */
describe("mlbook export", () => {
  let dir: string;

  beforeAll(() => {
    dir = copyOfRepo({pipelines: true});
  });

  for (const p of [
    {config: "pipelines/cars.yaml", ref: "model"},
    {config: "mlbook.yaml", ref: "penguins-model@latest"}
  ]) {
    it(`${p.config}: npm install && npm start in the exported folder serves the model the workspace scores`, async () => {
      const config = join(dir, p.config);
      expect((await mlbook(dir, ["run", "-c", config], dir)).status).toBe(0);
      const out = join(mkdtempSync(join(tmpdir(), "mlbook-export-")), "served");
      const made = await mlbook(dir, ["export", p.ref, out, "-c", config], dir);
      expect(made.stderr).toContain(`exported ${p.ref} to ${out}: cd ${out} && npm install && npm start`);
      expect(made.status).toBe(0);
      expect(readdirSync(out).sort()).toEqual([
        "README.md",
        "manifest.json",
        "mlbook-export.json",
        "mlbook.mjs",
        "model.json",
        "modules",
        "package.json",
        "server.mjs"
      ]);
      const manifest = JSON.parse(readFileSync(join(out, "mlbook-export.json"), "utf8")) as {
        modules: Record<string, string>;
      };
      expect(Object.keys(manifest.modules)).toHaveLength(1);
      const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8")) as {dependencies: object};
      expect(Object.keys(pkg.dependencies)).toEqual(["@duckdb/node-api"]);

      // What the workspace answers, before the workspace goes away.
      const workspace = await loadModel(join(out, "model.json"), {base: join(config, "..")});
      const example = workspace.bundle.example!;
      const expected = JSON.parse(JSON.stringify(await workspace.predict(example))) as unknown;
      workspace.close();

      const installed = await run(out, "npm", ["install", "--no-audit", "--no-fund"]);
      expect(installed.status, installed.stderr).toBe(0);
      const copy = `${dir}.moved`;
      cpSync(dir, copy, {recursive: true, verbatimSymlinks: true});
      rmSync(dir, {recursive: true, force: true});
      try {
        const server = await startServing(out, "npm", ["start", "--", "--port", "0"], {}, {group: true});
        try {
          expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
          const {status, json} = await invoke(server.url, {dataframe_records: example});
          expect(status).toBe(200);
          expect(json.predictions).toEqual(expected);
          const meta = (await (await fetch(`${server.url}/metadata`)).json()) as {input_example: unknown};
          expect(meta.input_example).toEqual(example);
        } finally {
          // SIGTERM to npm, its shell and the server: the server stops cleanly.
          const stopped = await server.stop();
          expect(stopped.stderr).toContain("SIGTERM: finishing requests in flight, then stopping");
          expect(stopped.stderr).not.toMatch(/error/i);
        }
      } finally {
        cpSync(copy, dir, {recursive: true, verbatimSymlinks: true});
        rmSync(copy, {recursive: true, force: true});
      }
      // A bundle changed after export (same size) is refused, by the server as by loadModel.
      const bundleFile = join(out, "model.json");
      const text = readFileSync(bundleFile, "utf8");
      const at = text.search(/\d/);
      writeFileSync(bundleFile, `${text.slice(0, at)}${text[at] === "1" ? "2" : "1"}${text.slice(at + 1)}`);
      await expect(loadModel(bundleFile, {base: out})).rejects.toThrow(/the model bundle fails its checksum/);
    }, 300_000);
  }

  it("refuses a folder that is not empty, and a model whose module changed, writing nothing", async () => {
    const config = join(dir, "pipelines", "cars.yaml");
    const base = mkdtempSync(join(tmpdir(), "mlbook-export-"));
    const full = join(base, "full");
    mkdirSync(full);
    writeFileSync(join(full, "keep.txt"), "mine");
    const refused = await mlbook(dir, ["export", "model", full, "-c", config], dir);
    expect(refused.stderr).toContain(`error: ${full} exists and is not empty: export into a new folder`);
    expect(refused.status).toBe(2);
    expect(readdirSync(full)).toEqual(["keep.txt"]);

    appendFileSync(join(dir, "models", "knn.ts"), "\n// edited after training\n");
    const changed = await mlbook(dir, ["export", "model", join(base, "new"), "-c", config], dir);
    expect(changed.stderr).toMatch(
      /model module \.\.\/models\/knn\.ts changed since this model was trained \(code [0-9a-f]{12}, trained with [0-9a-f]{12}\)/
    );
    expect(changed.status).not.toBe(0);
    expect(existsSync(join(base, "new"))).toBe(false);
    expect(readdirSync(base)).toEqual(["full"]);
  });
});
