import {describe, expect, it} from "vitest";
import {configArg, receiptPath} from "../../src/cli/receipt.ts";

describe("configArg: which command lines a receipt may answer", () => {
  it("finds the config in commander's forms", () => {
    expect(configArg([])).toBe("mlbook.yaml");
    expect(configArg(["--json", "split.test_size=0.3"])).toBe("mlbook.yaml");
    expect(configArg(["-c", "pipelines/cars.yaml"])).toBe("pipelines/cars.yaml");
    expect(configArg(["--config", "a.yaml", "--steps", "train", "~check"])).toBe("a.yaml");
    expect(configArg(["--config=a.yaml", "-s", "split,train"])).toBe("a.yaml");
  });

  it("leaves sweeps, pins, help and anything unknown to the full CLI", () => {
    for (const args of [
      ["-m", "model.params.C=1,2"],
      ["--multirun"],
      ["--jobs", "2"],
      ["--from", "clean_data:v1"],
      ["--help"],
      ["-cfoo.yaml"],
      ["--verbose"],
      ["--config"]
    ])
      expect(configArg(args)).toBeUndefined();
  });

  it("keys receipts by the whole command line and the working folder", () => {
    const a = receiptPath("/p/.mlbook", ["--json"], "/p");
    expect(receiptPath("/p/.mlbook", ["--json"], "/p")).toBe(a);
    expect(receiptPath("/p/.mlbook", [], "/p")).not.toBe(a);
    expect(receiptPath("/p/.mlbook", ["--json"], "/q")).not.toBe(a);
    expect(receiptPath("/p/.mlbook", ["--json", "model.params.C=2"], "/p")).not.toBe(a);
  });
});
