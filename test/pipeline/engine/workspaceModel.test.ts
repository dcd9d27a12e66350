import {appendFileSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {builtinCatalog, loadConfig} from "../../../src/pipeline/builtins.ts";
import {runPipeline} from "../../../src/pipeline/engine/run.ts";
import type {RunLogger, RunResult} from "../../../src/pipeline/engine/runTypes.ts";
import {ConfigError, DataError} from "../../../src/pipeline/errors.ts";
import type {ModelBundle} from "../../../src/pipeline/ml/bundle.ts";
import {loadModel} from "../../../src/pipeline/score/model.ts";
import {composeSweep} from "../../../src/pipeline/sweep/compose.ts";
import {trackingHooks} from "../../../src/pipeline/tracking/trackingHooks.ts";
import {tinyConfig, tinyProject} from "../../helpers/project.ts";

/**
 * A workspace model: the nearest class centroid, with probabilities from distances. `SKEW` makes
 * the first row's first probability -SKEW (0: no such bug), to see what the engine does with bad
 * user output.
 */
const centroid = (skew = "0") => `import {defineModel, z} from "mlbook";

const SKEW = ${skew};

export default defineModel({
  name: "centroid",
  tasks: ["classification"],
  params: z.object({temperature: z.number().positive().default(1)}).strict(),
  fit(X, y, params, info) {
    const k = info.nClasses!;
    const sums = Array.from({length: k}, () => new Array(X.cols.length).fill(0));
    const counts = new Array(k).fill(0);
    for (let i = 0; i < X.rows; ++i) {
      counts[y[i]]++;
      for (let j = 0; j < X.cols.length; ++j) sums[y[i]][j] += X.cols[j][i];
    }
    return {centroids: sums.map((s, c) => s.map((v) => v / counts[c])), temperature: params.temperature};
  },
  predict(model, X) {
    return this.predictProba!(model, X)[0].map(() => 0);
  },
  predictProba(model, X) {
    const scores = model.centroids.map((c) =>
      Array.from({length: X.rows}, (_, i) => -c.reduce((d, v, j) => d + (X.cols[j][i] - v) ** 2, 0) / model.temperature)
    );
    const columns = scores[0].map((_, i) => {
      const top = Math.max(...scores.map((s) => s[i]));
      const e = scores.map((s) => Math.exp(s[i] - top));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / total);
    }).reduce((cols, row) => (row.forEach((p, c) => cols[c].push(p)), cols), scores.map(() => [] as number[]));
    if (SKEW) {
      // The row still sums to 1: only one probability is out of [0, 1].
      columns[1][0] += columns[0][0] + SKEW;
      columns[0][0] = -SKEW;
    }
    return columns;
  },
  toJSON: (model) => model,
  fromJSON: (json) => json as {centroids: number[][]; temperature: number}
});
`;

/** A project whose model is models/centroid.ts, with `extra` config lines. */
function project(extra = "", source = centroid()): string {
  const dir = tinyProject();
  mkdirSync(join(dir, "models"));
  writeFileSync(join(dir, "models", "centroid.ts"), source);
  writeFileSync(
    join(dir, "mlbook.yaml"),
    tinyConfig.replace(/model:\n {2}type: logistic_regression\n {2}params:\n {4}C: 1.0\n/, "") +
      `model:\n  type: ./models/centroid.ts\n  params: {temperature: 1}\n${extra}`
  );
  return dir;
}

function logger(lines: string[]): RunLogger {
  return {step() {}, progress() {}, info: (m) => lines.push(m)};
}

const bundleOf = (dir: string, result: RunResult): ModelBundle => {
  const train = result.steps.find((s) => s.name === "train")!;
  return JSON.parse(readFileSync(join(dir, ".mlbook", "store", "train", train.key, "model.json"), "utf8"));
};

describe("a workspace model (model.type: ./models/name.ts)", () => {
  it("trains, cross-validates, registers and scores like a built-in model, its code in the key", async () => {
    const dir = project(
      "evaluate: {cv: {folds: 3}}\nregister: {name: tiny-centroid, criteria: [{metric: accuracy, threshold: 0.5}]}\n"
    );
    const config = join(dir, "mlbook.yaml");
    const lines: string[] = [];
    const result = await runPipeline(await loadConfig(config), {
      logger: logger(lines),
      hooks: [trackingHooks()]
    });
    expect(result.headline.accuracy).toBeGreaterThan(0.8);
    expect(result.headline.cv_accuracy).toBeGreaterThan(0.8);
    expect(lines).toContain("registered tiny-centroid v1 (all criteria passed)");
    const bundle = bundleOf(dir, result);
    expect(bundle.estimator.module).toEqual({
      path: "models/centroid.ts",
      digest: expect.stringMatching(/^[0-9a-f]{64}$/)
    });

    // Scoring through the bundle gives the same predictions the evaluation scored.
    const model = await loadModel(
      join(dir, ".mlbook", "store", "train", result.steps.find((s) => s.name === "train")!.key, "model.json"),
      {base: dir}
    );
    const rows = [
      {x1: 0, x2: -1, colour: "red"},
      {x1: 4, x2: 1, colour: "blue"}
    ];
    expect((await model.predict(rows)).map((r) => r.prediction)).toEqual(["a", "c"]);

    // Its params sweep; the jobs share everything before train.
    const sweep = await composeSweep(config, ["model.params.temperature=0.5,2"], {
      load: loadConfig,
      catalog: builtinCatalog
    });
    expect(sweep.shared).toEqual(["ingest", "clean", "split"]);

    // Its code is in train's key: an edit re-runs train and what reads it.
    appendFileSync(join(dir, "models", "centroid.ts"), "\n// edited\n");
    const again = await runPipeline(await loadConfig(config));
    expect(again.steps.map((s) => [s.name, s.status])).toEqual([
      ["ingest", "fresh"],
      ["clean", "fresh"],
      ["split", "fresh"],
      ["train", "ran"],
      ["evaluate", "ran"],
      ["register", "ran"]
    ]);
    expect(again.steps.find((s) => s.name === "train")?.reason).toBe("code of train changed");

    // A bundle scores only with the code it was trained with.
    await expect(
      loadModel(
        join(
          dir,
          ".mlbook",
          "store",
          "train",
          result.steps.find((s) => s.name === "train")!.key,
          "model.json"
        ),
        {
          base: dir
        }
      )
    ).rejects.toThrow(
      /^model module models\/centroid\.ts changed since this model was trained \(code [0-9a-f]{12}, trained with [0-9a-f]{12}\): restore the module's code, or train the model again$/
    );
  });

  it("clips probabilities a hair outside [0, 1] with a warning, and refuses ones far outside", async () => {
    const hair = project("", centroid("1e-9"));
    const lines: string[] = [];
    const result = await runPipeline(await loadConfig(join(hair, "mlbook.yaml")), {logger: logger(lines)});
    expect(
      lines.some((l) =>
        /^evaluate: model centroid \(models\/centroid\.ts\): \d+ probabilities a hair outside \[0, 1\] were clipped$/.test(
          l
        )
      )
    ).toBe(true);
    expect(result.headline.accuracy).toBeGreaterThan(0.8);

    const far = project("", centroid("0.5"));
    const error = await runPipeline(await loadConfig(join(far, "mlbook.yaml"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    // train profiles the model's predictions on its training rows (monitoring's reference), so a
    // model whose probabilities are no probabilities fails there, before any model is stored.
    expect((error as Error).message).toMatch(
      /^train \(data\.csv\): model centroid \(models\/centroid\.ts\): predictProba gave -0\.\d+ for row \d+, class \d \(expected a probability in \[0, 1\]\)$/
    );
  });

  it("reports an exception in its code with the user's file and line, exit 1", async () => {
    const dir = project(
      "",
      centroid().replace(
        "const k = info.nClasses!;",
        'const k = info.nClasses!;\n    if (k) throw new Error("no centroids today");'
      )
    );
    const error = await runPipeline(await loadConfig(join(dir, "mlbook.yaml"))).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "step train failed: no centroids today (at models/centroid.ts:11:18)"
    );
    expect((error as DataError).exitCode).toBe(1);
  });

  it("is checked with the config: its params by its schema, its tasks, its module", async () => {
    const dir = project();
    const config = join(dir, "mlbook.yaml");
    const message = async (overrides: string[]) =>
      (await loadConfig(config, overrides).catch((e: unknown) => e)) instanceof ConfigError
        ? ((await loadConfig(config, overrides).catch((e: unknown) => e)) as Error).message
        : "no error";
    expect(await message(["model.params.temperature=-1"])).toBe(
      "override model.params.temperature=-1: invalid model.params.temperature: -1 (expected > 0)"
    );
    expect(await message(["model.params.temprature=2"])).toMatch(/unknown key model\.params\.temprature/);
    expect(await message(["data.task=regression", "data.target=x1"])).toMatch(
      /invalid model\.type: "\.\/models\/centroid\.ts" \(regression needs one of .* \(\.\/models\/centroid\.ts does classification\)\)/
    );
    expect(await message(["model.type=./models/none.ts"])).toBe(
      "override model.type=./models/none.ts: invalid model.type: models/none.ts: no such file"
    );
  });
});
