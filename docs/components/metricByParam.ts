import type {Colours} from "./colourBy.js";
import {paramAxis} from "./paramAxis.js";
import {paramLabel, paramValue} from "./paramValue.js";

/** One run of a metric-against-param chart. */
export interface MetricPoint {
  run: string;
  /** The run's value of the charted param (undefined or null: the run has no such param). */
  value: unknown;
  metric: number;
  /** The run's value of the colour-by param. */
  colourValue?: unknown;
  best: boolean;
}

export interface MetricByParam {
  param: string;
  metric: string;
  points: MetricPoint[];
  /** Colours by a second param (colourTitle), or one colour for all. */
  colours?: Colours | null;
  colourTitle?: string | null;
}

/**
 * A Vega-Lite spec of the metric against one param: numbers on a numeric axis (log when they span
 * more than 50×), text as its values. Runs without the param (a ridge run on a random forest's
 * n_estimators) are drawn apart, in a narrow "(not set)" panel sharing the metric axis: never
 * placed on the param's axis, never dropped.
 */
export function metricByParam({param, metric, points, colours = null, colourTitle = null}: MetricByParam) {
  const axis = paramAxis(points.map((p) => p.value));
  const values = points.map((p) => ({
    run: p.run,
    set: paramValue(p.value) !== null,
    value: paramValue(p.value),
    label: paramLabel(p.value),
    metric: p.metric,
    colour: colours ? paramLabel(p.colourValue) : null,
    best: p.best
  }));
  const y = {field: "metric", type: "quantitative", title: metric, scale: {zero: false, padding: 12}};
  const encoding = {
    color: colours
      ? {
          field: "colour",
          type: "nominal",
          title: colourTitle,
          scale: {domain: colours.domain, range: colours.range},
          // The page lists the colours once, above all the charts.
          legend: null
        }
      : {value: "#4c78a8"},
    // The best run shown (by this metric) is ringed, as it is thickened in the parallel coordinates.
    strokeWidth: {condition: {test: "datum.best", value: 2}, value: 0},
    tooltip: [
      {field: "run"},
      {field: "label", title: param},
      {field: "metric", title: metric, format: ".4~g"},
      ...(colours ? [{field: "colour", title: colourTitle}] : [])
    ]
  };
  const mark = {type: "point", filled: true, size: 70, stroke: "#111"};
  const set = {
    name: "set",
    ...(axis.kind === "number" ? {width: 300} : {width: {step: 90}}),
    height: 200,
    transform: [{filter: "datum.set"}],
    mark,
    encoding: {
      ...encoding,
      x:
        axis.kind === "number"
          ? {
              field: "value",
              type: "quantitative",
              // The chart's title names the param.
              title: null,
              scale: {type: axis.log ? "log" : "linear", zero: false, padding: 12},
              axis: {format: ".4~g"}
            }
          : {
              field: "label",
              type: "nominal",
              title: null,
              sort: axis.labels,
              axis: {labelAngle: 0, labelLimit: 86}
            },
      y: {...y, axis: {format: ".4~g"}}
    }
  };
  if (values.every((v) => v.set)) return {data: {values}, title: param, ...set};
  const notSet = {
    name: "notset",
    width: 48,
    height: 200,
    transform: [{filter: "!datum.set"}],
    mark,
    encoding: {
      ...encoding,
      x: {field: "label", type: "nominal", title: null, axis: {labelAngle: 0}},
      y: {...y, axis: null}
    }
  };
  return {
    data: {values},
    title: param,
    hconcat: [set, notSet],
    spacing: 4,
    resolve: {scale: {x: "independent", y: "shared", color: "shared"}}
  };
}
