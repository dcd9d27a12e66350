import {describe, expect, it} from "vitest";
import {binFeatures, fitBinMapper, MISSING_BIN} from "../../../../src/pipeline/ml/hgb/binMapper.ts";
import {createRng} from "../../../../src/pipeline/ml/rng.ts";

const options = {maxBins: 255, subsample: 200_000, rng: createRng(0)};

describe("fitBinMapper", () => {
  it("uses midpoints between distinct values when there are few, and bins NaN apart", () => {
    const X = {rows: 5, cols: [Float64Array.of(1, 2, 2, 5, NaN)]};
    const mapper = fitBinMapper(X, options);
    // sklearn 1.9.1: _BinMapper().fit(...).bin_thresholds_[0] == [1.5, 3.5], transform -> [0 1 1 2 255]
    expect(Array.from(mapper.thresholds[0])).toEqual([1.5, 3.5]);
    expect(Array.from(binFeatures(X, mapper)[0])).toEqual([0, 1, 1, 2, MISSING_BIN]);
    expect(mapper.nBinsNonMissing[0]).toBe(3);
  });

  it("takes numpy's averaged_inverted_cdf quantiles when values outnumber bins", () => {
    const values = Array.from({length: 3000}, (_, i) => ((i * 7919) % 1000) / 10);
    const X = {rows: 3005, cols: [Float64Array.from([...values, NaN, NaN, NaN, NaN, NaN])]};
    const mapper = fitBinMapper(X, options);
    // sklearn 1.9.1 _BinMapper(n_bins=256) on the same column: 254 thresholds,
    // t[0] = 0.3, t[100] = 39.6, t[253] = 99.6; transform([nan, 0, 50, 99.9, 1e9]) = [255 0 127 254 254]
    const t = mapper.thresholds[0];
    expect(t.length).toBe(254);
    expect([t[0], t[100], t[253]]).toEqual([0.3, 39.6, 99.6]);
    const probe = {rows: 5, cols: [Float64Array.of(NaN, 0, 50, 99.9, 1e9)]};
    expect(Array.from(binFeatures(probe, mapper)[0])).toEqual([255, 0, 127, 254, 254]);
  });

  it("gives a constant column no thresholds", () => {
    const mapper = fitBinMapper({rows: 3, cols: [Float64Array.of(4, 4, 4)]}, options);
    expect(mapper.thresholds[0].length).toBe(0);
    expect(mapper.nBinsNonMissing[0]).toBe(1);
  });
});
