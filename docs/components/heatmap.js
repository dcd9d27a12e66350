import {vegaChart} from "./vega.js";

/**
 * A matrix as a heatmap of coloured cells with their values written in: cells are
 * {row, column, value}; `format` is a d3 format (",d" writes 467,463). Rows run down, columns across.
 */
export function heatmap(cells, {rows, columns, format, rowTitle, columnTitle, legend, className}) {
  const max = Math.max(...cells.map((c) => c.value));
  const size = Math.min(70, Math.max(24, 420 / Math.max(rows.length, columns.length)));
  return vegaChart(
    {
      data: {values: cells},
      width: size * columns.length,
      height: size * rows.length,
      encoding: {
        x: {
          field: "column",
          type: "nominal",
          sort: columns,
          title: columnTitle,
          axis: {orient: "top", labelAngle: 0}
        },
        y: {field: "row", type: "nominal", sort: rows, title: rowTitle}
      },
      layer: [
        {
          mark: "rect",
          encoding: {
            color: {field: "value", type: "quantitative", scale: {scheme: "blues", zero: true}, title: legend}
          }
        },
        {
          mark: {type: "text", fontSize: 13},
          encoding: {
            text: {field: "value", type: "quantitative", format},
            // White on the dark half of the scale, black on the light half.
            color: {condition: {test: `datum.value > ${max / 2}`, value: "white"}, value: "black"}
          }
        }
      ]
    },
    className
  );
}
