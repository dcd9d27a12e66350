import {number} from "./format.js";
import {vegaChart} from "./vega.js";

const width = 560;

/** Axis labels by magnitude: 50M past a hundred thousand (SI), else 4,250 or 0.5. */
export function axisFormat(values) {
  const size = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  return size >= 1e5 ? "~s" : ",~f";
}

/** A number axis whose labels never run into each other (1,6001,800 …). */
function numberAxis(values, extra = {}) {
  return {format: axisFormat(values), tickCount: 8, labelOverlap: true, ...extra};
}

/**
 * A numeric bin as drawn and named. Whole-number bins [lo, hi) hold the integers lo … hi − 1:
 * they are drawn from lo − ½ to hi − ½, so each bar sits on the integers it counts, and named
 * by them ("4", "10–19"); other bins by their edges ("32 to 33").
 */
function numericBin(c, b) {
  const half = c.kind === "text" || c.integer ? 0.5 : 0;
  const label = half
    ? b.hi - b.lo === 1
      ? number(b.lo)
      : `${number(b.lo)}–${number(b.hi - 1)}`
    : `${number(b.lo)} to ${number(b.hi)}`;
  return {x0: b.lo - half, x1: b.hi - half, label};
}

/** The bins a chart of column `c` draws: the clipped ones when asked for and there are some. */
export function shownBins(c, clip) {
  return clip && c.clipped ? c.clipped.bins : c.bins;
}

/**
 * The distribution of one column: a histogram of a number (bars on whole numbers for an integer
 * column; a log count scale when `log`; the 1st–99th percentile when `clip`), of a date by
 * period, of a text's length, or the most frequent values of a category.
 */
export function distributionChart(c, {log = false, clip = false, className = "histogram"} = {}) {
  const y = {
    field: "count",
    type: "quantitative",
    title: log ? "rows (log scale)" : "rows",
    scale: log ? {type: "symlog"} : {},
    axis: {format: axisFormat(c.bins.map((b) => b.count)), tickMinStep: 1}
  };
  if (c.kind === "categorical")
    return vegaChart(
      {
        data: {values: c.bins},
        width,
        height: Math.max(60, 20 * c.bins.length),
        mark: {type: "bar", color: "#f58518"},
        encoding: {
          y: {field: "value", type: "nominal", sort: null, title: c.name},
          x: y,
          tooltip: [{field: "value"}, {field: "count", format: ","}]
        }
      },
      className
    );
  if (c.kind === "date")
    return vegaChart(
      {
        data: {values: c.bins},
        width,
        height: 220,
        mark: {type: "rect", color: "#4c78a8", stroke: "white", strokeWidth: 0.5},
        encoding: {
          x: {field: "lo", type: "temporal", title: `${c.name} (by ${c.unit})`},
          x2: {field: "hi"},
          y,
          y2: {datum: 0},
          tooltip: [
            {field: "lo", type: "temporal", title: "from", format: "%Y-%m-%d"},
            {field: "count", format: ","}
          ]
        }
      },
      className
    );
  const values = shownBins(c, clip).map((b) => ({...numericBin(c, b), count: b.count}));
  return vegaChart(
    {
      data: {values},
      width,
      height: 220,
      mark: {type: "rect", color: "#4c78a8", stroke: "white", strokeWidth: values.length > 20 ? 0.5 : 1},
      encoding: {
        x: {
          field: "x0",
          type: "quantitative",
          title: c.kind === "text" ? `${c.name}: length (characters)` : c.name,
          scale: {zero: false, nice: false},
          axis: numberAxis(
            values.flatMap((v) => [v.x0, v.x1]),
            c.kind === "text" || c.integer ? {tickMinStep: 1} : {}
          )
        },
        x2: {field: "x1"},
        y,
        y2: {datum: 0},
        tooltip: [
          {field: "label", title: c.kind === "text" ? "length" : c.name},
          {field: "count", format: ","}
        ]
      }
    },
    className
  );
}

/**
 * The target against one feature, over the feature's bins (clipped as the histogram is): the
 * share of each class per bin (classification), or the target's mean per bin (regression),
 * against the mean over all rows.
 */
export function targetChart(c, eda, {clip = false, className = "target-by-feature"} = {}) {
  const bins = c.kind === "numeric" ? shownBins(c, clip) : c.bins;
  const at = (b) =>
    c.kind === "categorical"
      ? {value: b.value}
      : c.kind === "date"
        ? {x0: b.lo, x1: b.hi, label: b.lo.slice(0, 10)}
        : numericBin(c, b);
  const xType = c.kind === "date" ? "temporal" : "quantitative";
  const xAxis = (values) => (xType === "temporal" ? {} : numberAxis(values.flatMap((v) => [v.x0, v.x1])));
  const xTitle = c.kind === "date" ? `${c.name} (by ${c.unit})` : c.name;
  if (eda.task === "classification") {
    // Each bin's classes stacked as shares of its labelled rows: a class that grows with the
    // feature is a band that widens; a bin's row count is in its tooltip.
    const values = bins.flatMap((b) => {
      const labelled = b.byClass.reduce((s, n) => s + n, 0);
      let start = 0;
      return eda.classes.map((k, i) => {
        const share = labelled ? b.byClass[i] / labelled : 0;
        const out = {...at(b), class: k, rows: b.count, n: b.byClass[i], s0: start, s1: start + share, share};
        start += share;
        return out;
      });
    });
    const color = {field: "class", type: "nominal", title: eda.target, scale: {domain: eda.classes}};
    const tooltip = [
      {field: c.kind === "categorical" ? "value" : "label", title: c.name},
      {field: "class", title: eda.target},
      {field: "share", format: ".1%"},
      {field: "n", title: "rows of the class", format: ","},
      {field: "rows", title: "rows in bin", format: ","}
    ];
    const share = {
      type: "quantitative",
      title: `share of ${eda.target}`,
      axis: {format: "%"},
      scale: {domain: [0, 1]}
    };
    if (c.kind === "categorical")
      return vegaChart(
        {
          data: {values},
          width,
          height: Math.max(60, 20 * bins.length),
          mark: {type: "bar"},
          encoding: {
            y: {field: "value", type: "nominal", sort: null, title: c.name},
            x: {field: "s0", ...share},
            x2: {field: "s1"},
            color,
            tooltip
          }
        },
        className
      );
    return vegaChart(
      {
        data: {values: values.filter((v) => v.rows > 0)},
        width,
        height: 200,
        mark: {type: "rect", stroke: "white", strokeWidth: 0.3},
        encoding: {
          x: {
            field: "x0",
            type: xType,
            title: xTitle,
            scale: {zero: false, nice: false},
            axis: xAxis(values)
          },
          x2: {field: "x1"},
          y: {field: "s0", ...share},
          y2: {field: "s1"},
          color,
          tooltip
        }
      },
      className
    );
  }
  const overall = eda.columns.find((x) => x.name === eda.target)?.stats?.mean ?? null;
  const values = bins.filter((b) => b.mean !== null).map((b) => ({...at(b), mean: b.mean, rows: b.count}));
  const meanAxis = {
    field: "mean",
    type: "quantitative",
    title: `mean ${eda.target}`,
    scale: {zero: false},
    axis: {format: axisFormat(values.map((v) => v.mean))}
  };
  const rule =
    overall === null
      ? []
      : [
          {
            mark: {type: "rule", strokeDash: [4, 3], color: "#888"},
            encoding: {[c.kind === "categorical" ? "x" : "y"]: {datum: overall}}
          }
        ];
  const tooltip = [
    {field: c.kind === "categorical" ? "value" : "label", title: c.name},
    {field: "mean", title: `mean ${eda.target}`, format: ".4~r"},
    {field: "rows", title: "rows in bin", format: ","}
  ];
  if (c.kind === "categorical")
    return vegaChart(
      {
        data: {values},
        width,
        height: Math.max(60, 20 * values.length),
        layer: [
          {
            mark: {type: "point", filled: true, size: 60, color: "#4c78a8"},
            encoding: {y: {field: "value", type: "nominal", sort: null, title: c.name}, x: meanAxis, tooltip}
          },
          ...rule
        ]
      },
      className
    );
  const mid = values.map((v) => ({...v, mid: xType === "temporal" ? v.x0 : (v.x0 + v.x1) / 2}));
  return vegaChart(
    {
      data: {values: mid},
      width,
      height: 200,
      layer: [
        {
          mark: {type: "line", point: {filled: true, size: 40}, color: "#4c78a8"},
          encoding: {
            x: {field: "mid", type: xType, title: xTitle, scale: {zero: false}, axis: xAxis(mid)},
            y: meanAxis,
            tooltip
          }
        },
        ...rule
      ]
    },
    className
  );
}
