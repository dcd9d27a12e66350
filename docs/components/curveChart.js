import {vegaChart} from "./vega.js";

/**
 * ROC or precision–recall curves, one per class ({class, x, y, i} points, in curve order), with
 * the operating point at the slider's threshold ({x, y, label}, or null) and a dashed guide (what
 * a guess scores: {x, y} points, and its label written at `guide.at`). Curves that coincide, as a
 * perfect classifier's all run along the axes, stay visible: each class has its own stroke, widest
 * first, and its own dash, so the classes under a narrower line still show at its sides. `legend`
 * maps a class to its label.
 */
export function curveChart({points, classes, legend, point, guide, step, x, y, className}) {
  const labels = classes.map((c) => legend(c));
  const n = classes.length;
  const encode = {
    x: {field: "x", type: "quantitative", title: x, scale: {domain: [0, 1]}},
    y: {field: "y", type: "quantitative", title: y, scale: {domain: [0, 1]}}
  };
  const curve = {
    field: "label",
    type: "nominal",
    sort: labels,
    legend: {
      orient: "bottom",
      direction: "vertical",
      title: null,
      labelLimit: 320,
      symbolType: "stroke",
      symbolSize: 400
    }
  };
  return vegaChart(
    {
      width: 300,
      height: 280,
      layer: [
        {
          data: {values: points.map((p) => ({...p, label: legend(p.class)}))},
          mark: {type: "line", interpolate: step ? "step-after" : "linear"},
          encoding: {
            ...encode,
            color: {...curve, scale: {domain: labels}},
            strokeWidth: {
              ...curve,
              scale: {
                domain: labels,
                range: labels.map((_, i) => (n === 1 ? 2 : 2.5 + (5.5 * (n - 1 - i)) / (n - 1)))
              }
            },
            strokeDash: {
              ...curve,
              scale: {
                domain: labels,
                range: labels.map(
                  (_, i) =>
                    [
                      [1, 0],
                      [6, 3],
                      [2, 2],
                      [10, 3, 2, 3]
                    ][i % 4]
                )
              }
            },
            order: {field: "i", type: "quantitative"}
          }
        },
        {
          data: {values: guide.points},
          mark: {type: "line", color: "#999", strokeDash: [4, 4]},
          encoding: encode
        },
        {
          data: {values: [guide.at]},
          mark: {type: "text", align: "left", dx: 4, dy: -6, color: "#777", fontSize: 10},
          encoding: {...encode, text: {value: guide.label}}
        },
        ...(point
          ? [
              {
                name: "operating_point",
                data: {values: [point]},
                mark: {
                  type: "point",
                  shape: "circle",
                  size: 110,
                  filled: true,
                  color: "black",
                  stroke: "white",
                  strokeWidth: 1.5
                },
                encoding: {
                  ...encode,
                  tooltip: [
                    {field: "x", title: x, format: ".3f"},
                    {field: "y", title: y, format: ".3f"}
                  ]
                }
              },
              // Written inward of the point, so a point at the right edge keeps its label in the chart.
              {
                data: {values: [point]},
                mark: {
                  type: "text",
                  align: point.x > 0.7 ? "right" : "left",
                  dx: point.x > 0.7 ? -8 : 8,
                  dy: 12,
                  fontSize: 11
                },
                encoding: {...encode, text: {field: "label"}}
              }
            ]
          : [])
      ]
    },
    className
  );
}
