import {runStep} from "mlbook";
import {describe, expect, it} from "vitest";
import beakRatio from "./beakRatio.ts";

describe("beak_ratio", () => {
  it("adds the beak's length over its depth, scaled, and keeps every column", async () => {
    const rows = [
      {Species: "Adelie", "Beak Length (mm)": 39, "Beak Depth (mm)": 19.5},
      {Species: "Gentoo", "Beak Length (mm)": 47.5, "Beak Depth (mm)": 15},
      {Species: "Adelie", "Beak Length (mm)": null, "Beak Depth (mm)": 18}
    ];
    const {data} = await runStep(beakRatio, {inputs: {data: rows}, params: {scale: 2}});
    expect(data).toEqual([
      {...rows[0], beak_ratio: 4},
      {...rows[1], beak_ratio: (47.5 / 15) * 2},
      {...rows[2], beak_ratio: null}
    ]);
  });

  it("refuses a scale that is not positive, as the config would", async () => {
    await expect(
      runStep(beakRatio, {
        inputs: {data: [{"Beak Length (mm)": 1, "Beak Depth (mm)": 1}]},
        params: {scale: 0}
      })
    ).rejects.toThrow(/scale/);
  });
});
