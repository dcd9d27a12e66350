import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {loadConfig} from "../../../src/pipeline/builtins.ts";
import {parseOverride} from "../../../src/pipeline/engine/overrides.ts";
import {ConfigError} from "../../../src/pipeline/errors.ts";

const base = `name: demo
data:
  source: data.csv
  target: y
split:
  test_size: 0.2
model:
  type: logistic_regression
  params:
    C: 1.0
`;

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mlbook-config-"));
  const file = join(dir, "mlbook.yaml");
  writeFileSync(file, text);
  return file;
}

async function errorOf(fn: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies defaults from each step's schema", async () => {
    const {config} = await loadConfig(configFile(base));
    expect(config.split).toEqual({
      method: "random",
      test_size: 0.2,
      validation_size: 0,
      stratify: true,
      seed: 42,
      num_buckets: 100,
      salt: ""
    });
    expect(config.data.task).toBe("classification");
    expect(config.model.params).toEqual({C: 1});
  });

  it("names file, line, key and the allowed keys for an unknown key", async () => {
    const error = await errorOf(
      async () => await loadConfig(configFile(base.replace("test_size", "tets_size")))
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(
      /mlbook\.yaml:6:3: unknown key split\.tets_size \(did you mean test_size\? expected one of method, test_size, validation_size, stratify, seed, key, num_buckets, include_buckets, salt, time_column\)/
    );
  });

  it("names the key, value and expectation for a wrong type", async () => {
    const error = await errorOf(
      async () => await loadConfig(configFile(base.replace("test_size: 0.2", "test_size: lots")))
    );
    expect(error.message).toMatch(/mlbook\.yaml:6:3: invalid split\.test_size: "lots" \(expected number\)/);
  });

  it("reports a missing required key", async () => {
    const error = await errorOf(async () => await loadConfig(configFile(base.replace("  target: y\n", ""))));
    expect(error.message).toMatch(/missing required key data\.target \(expected string\)/);
  });

  it("validates model params with the estimator's own schema", async () => {
    const error = await errorOf(async () => await loadConfig(configFile(base.replace("C: 1.0", "C: -1"))));
    expect(error.message).toMatch(/invalid model\.params\.C: -1/);
    const unknown = await errorOf(
      async () => await loadConfig(configFile(base.replace("C: 1.0", "n_trees: 3")))
    );
    expect(unknown.message).toMatch(/unknown key model\.params\.n_trees/);
  });

  it("refuses a model that does not do the task", async () => {
    const error = await errorOf(
      async () =>
        await loadConfig(configFile(base.replace("  target: y\n", "  target: y\n  task: regression\n")))
    );
    expect(error.message).toMatch(
      /mlbook\.yaml:9:3: invalid model\.type: "logistic_regression" \(regression needs one of linear_regression, ridge, decision_tree, random_forest, hist_gradient_boosting\)/
    );
  });

  it("reports invalid YAML with its position", async () => {
    const error = await errorOf(async () => await loadConfig(configFile("name: demo\ndata: [unclosed\n")));
    expect(error.message).toMatch(/mlbook\.yaml:\d+:\d+: invalid YAML at line \d+, column \d+: /);
  });

  it("refuses a YAML tag it would only warn about, naming line and column, with no Node warning", async () => {
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on("warning", listen);
    try {
      const error = await errorOf(
        async () => await loadConfig(configFile(`${base}description: !!js/function "function () {}"\n`))
      );
      expect(error.message).toMatch(
        /mlbook\.yaml:11:14: invalid YAML at line 11, column 14: unsupported YAML tag .*js\/function/
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", listen);
    }
  });

  it("refuses an alias bomb as a config error naming the file", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      ...Array.from({length: 9}, (_, i) => {
        const prev = String.fromCharCode(97 + i);
        const next = String.fromCharCode(98 + i);
        return `${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]`;
      })
    ].join("\n");
    const error = await errorOf(async () => await loadConfig(configFile(`${base}${bomb}\n`)));
    expect(error.message).toMatch(/mlbook\.yaml: invalid YAML: .*alias/i);
  });

  it("refuses a config over 1 MiB, or one that is not a regular file", async () => {
    const big = await errorOf(
      async () => await loadConfig(configFile(`${base}# ${"x".repeat(1024 * 1024)}\n`))
    );
    expect(big.message).toMatch(/mlbook\.yaml: the config is over 1024 KiB/);
    const dir = mkdtempSync(join(tmpdir(), "mlbook-config-dir-"));
    const notFile = await errorOf(async () => await loadConfig(dir));
    expect(notFile.message).toMatch(/not a regular file/);
  });

  it("applies overrides parsed as YAML scalars and lists", async () => {
    const {config} = await loadConfig(configFile(base), [
      "split.test_size=0.3",
      "split.stratify=false",
      "features.exclude=[a, b]"
    ]);
    expect(config.split.test_size).toBe(0.3);
    expect(config.split.stratify).toBe(false);
    expect(config.features.exclude).toEqual(["a", "b"]);
  });

  it("refuses an override of a key that does not exist, naming the override", async () => {
    const error = await errorOf(async () => await loadConfig(configFile(base), ["split.test_sise=0.3"]));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      "override split.test_sise=0.3: unknown key split.test_sise (did you mean test_size? expected one of method, test_size, validation_size, stratify, seed, key, num_buckets, include_buckets, salt, time_column)"
    );
  });

  it("refuses an override with a value of the wrong type", async () => {
    const error = await errorOf(async () => await loadConfig(configFile(base), ["split.test_size=big"]));
    expect(error.message).toBe(
      'override split.test_size=big: invalid split.test_size: "big" (expected number)'
    );
  });

  it("drops the file's model params when model.type changes (they belong to the other model)", async () => {
    const {config} = await loadConfig(configFile(base), ["model.type=logistic_regression"]);
    expect(config.model.params).toEqual({C: 1});
  });
});

describe("parseOverride", () => {
  it("parses key paths and YAML values", async () => {
    expect(parseOverride("model.params.C=0.5")).toMatchObject({path: ["model", "params", "C"], value: 0.5});
    expect(parseOverride("data.target=Species")).toMatchObject({value: "Species"});
    expect(parseOverride("x=null")).toMatchObject({value: null});
  });

  it("rejects text without a key", async () => {
    expect(() => parseOverride("=3")).toThrow(/expected key\.path=value/);
    expect(() => parseOverride("split")).toThrow(/expected key\.path=value/);
  });
});
