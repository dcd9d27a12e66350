import {describe, expect, it} from "vitest";
import {colourBy} from "../../docs/components/colourBy.ts";
import {metricByParam} from "../../docs/components/metricByParam.ts";
import {axisPosition, paramAxis} from "../../docs/components/paramAxis.ts";

interface Unit {
  name: string;
  transform: {filter: string}[];
  encoding: {x: {type: string; scale?: {type: string}; sort?: string[]}};
}
interface Concat {
  data: {values: {run: string; set: boolean; label: string}[]};
  hconcat?: Unit[];
  encoding?: Unit["encoding"];
}

// A movies sweep over model=ridge,random_forest and ridge's alpha: alpha is a ridge param only.
const points = [
  {run: "ridge-0.3", value: 0.3, metric: 0.09, best: false},
  {run: "ridge-30", value: 30, metric: 0.14, best: false},
  {run: "forest", value: undefined, metric: 0.17, best: true}
];

describe("a metric-against-param chart", () => {
  it("draws runs without the param in a strip of their own beside the param's numeric axis", () => {
    const spec = metricByParam({param: "model.params.alpha", metric: "r2", points}) as Concat;
    const [set, notSet] = spec.hconcat!;
    expect([set.name, notSet.name]).toEqual(["set", "notset"]);
    expect(set.transform).toEqual([{filter: "datum.set"}]);
    expect(notSet.transform).toEqual([{filter: "!datum.set"}]);
    expect(spec.data.values.filter((v) => !v.set).map((v) => v.run)).toEqual(["forest"]);
    expect(spec.data.values.find((v) => v.run === "forest")?.label).toBe("(not set)");
    // 0.3 to 30 spans 100×: a log axis, as a sweep over a regularisation strength is laid out.
    expect(set.encoding.x).toMatchObject({field: "value", type: "quantitative", scale: {type: "log"}});
  });

  it("has no strip when every run has the param, and lays text values out as they are", () => {
    const spec = metricByParam({
      param: "model.type",
      metric: "r2",
      points: [
        {run: "a", value: "ridge", metric: 0.1, best: false},
        {run: "b", value: "random_forest", metric: 0.2, best: true}
      ]
    }) as Concat;
    expect(spec.hconcat).toBeUndefined();
    expect(spec.encoding!.x).toMatchObject({type: "nominal", sort: ["random_forest", "ridge"]});
  });

  it("colours by a second param with the page's one domain and range", () => {
    const colours = colourBy(["ridge", "random_forest", "ridge"]);
    const spec = metricByParam({
      param: "model.params.alpha",
      metric: "r2",
      points: points.map((p, i) => ({...p, colourValue: ["ridge", "ridge", "random_forest"][i]})),
      colours,
      colourTitle: "model.type"
    }) as unknown as {hconcat: {encoding: {color: {scale: {domain: string[]; range: string[]}}}}[]};
    for (const unit of spec.hconcat)
      expect(unit.encoding.color.scale).toEqual({domain: ["random_forest", "ridge"], range: colours.range});
  });
});

describe("a param's axis and colours", () => {
  it("is numeric (log past a 50× span) for numbers, with no place for a run without the param", () => {
    const c = paramAxis([0.01, 0.1, 1, 10, null]);
    expect(c).toEqual({kind: "number", log: true, min: 0.01, max: 10});
    expect([0.01, 0.1, 1, 10].map((v) => axisPosition(c, v))).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(axisPosition(c, null)).toBeNull();
    expect(axisPosition(c, {})).toBeNull();
    expect(paramAxis([2, 4, 8])).toMatchObject({log: false});
    expect(paramAxis([0, 1000])).toMatchObject({log: false});
  });

  it("is its labels for text, or numbers mixed with text", () => {
    expect(paramAxis(["lbfgs", "saga", undefined])).toEqual({kind: "text", labels: ["lbfgs", "saga"]});
    expect(paramAxis([1, "auto"])).toEqual({kind: "text", labels: ["1", "auto"]});
  });

  it("colours numbers from dark to light in their order, each its own, and a missing value grey", () => {
    const colours = colourBy([10, 0.1, 1, undefined]);
    expect(colours.domain).toEqual(["0.1", "1", "10", "(not set)"]);
    expect(new Set(colours.range).size).toBe(4);
    expect(colours.of(0.1)).toBe("#440154");
    expect(colours.of(10)).toBe("#aadc32");
    expect(colours.of(null)).toBe("#b0b0b0");
  });
});
