import type {Colours} from "./colourBy.js";
import {axisPosition, paramAxis, type ParamAxis} from "./paramAxis.js";
import {paramLabel, paramValue} from "./paramValue.js";

export interface ParallelRun {
  id: string;
  /** The run's value on each axis, by axis name. */
  values: Record<string, unknown>;
  /** The run's value of the colour-by param. */
  colourValue?: unknown;
}

export interface ParallelOptions {
  runs: ParallelRun[];
  /** Axis names, left to right: the varied params, then the metric. */
  axes: string[];
  /** The id of the run drawn thick, on top. */
  best: string | null;
  colours?: Colours | null;
  width: number;
}

const top = 46;
const height = 220;
/** Runs without a param cross its axis here, below the axis's values and apart from them. */
const notSetY = top + height + 28;
const left = 48;
const right = 72;
const labelGap = 11;
// Tick labels sit over the lines: an outline of the page's background keeps them readable.
const halo = {
  fill: "currentColor",
  style:
    "stroke: var(--theme-background, white); stroke-width: 3px; stroke-linejoin: round; paint-order: stroke"
};

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string
) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const short = (v: number) => String(Number(v.toPrecision(4)));

/** The values an axis labels: each one present when they are few, else its ends. */
function ticks(axis: ParamAxis, raws: unknown[]): {label: string; at: number}[] {
  if (axis.kind === "text") return axis.labels.map((label) => ({label, at: axisPosition(axis, label)!}));
  const present = [...new Set(raws.map(paramValue).filter((v) => v !== null) as number[])].sort(
    (a, b) => a - b
  );
  const shown = present.length <= 6 ? present : [axis.min, axis.max];
  return shown.map((v) => ({label: short(v), at: axisPosition(axis, v)!}));
}

/**
 * Parallel coordinates as plain SVG: one vertical axis per varied param and one for the metric
 * (highest at the top), one line per run through its values. Numbers sit on a numeric (or log)
 * scale, text values evenly spaced; a run without a param crosses that axis at "not set", below
 * it. Each line's title names the run and its values.
 */
export function parallelCoordinates({
  runs,
  axes,
  best,
  colours = null,
  width
}: ParallelOptions): SVGSVGElement {
  const svg = el("svg", {
    class: "parallel-coords",
    width,
    height: notSetY + 16,
    viewBox: `0 0 ${width} ${notSetY + 16}`,
    "font-family": "var(--sans-serif, sans-serif)",
    "font-size": 10
  });
  const step = (width - left - right) / Math.max(1, axes.length - 1);
  const x = (i: number) => left + i * step;
  const y = (p: number | null) => (p === null ? notSetY : top + (1 - p) * height);
  const scales = axes.map((name) => paramAxis(runs.map((r) => r.values[name])));

  // Tick labels go in last, over the lines.
  const labels = el("g", {class: "pc-labels"});
  axes.forEach((name, i) => {
    const g = el("g", {class: "pc-axis", transform: `translate(${x(i)},0)`});
    const dot = name.lastIndexOf(".");
    g.append(
      el(
        "text",
        {y: 14, "text-anchor": "middle", fill: "currentColor", "fill-opacity": 0.6},
        dot > 0 ? name.slice(0, dot + 1) : ""
      ),
      el(
        "text",
        {y: 28, "text-anchor": "middle", fill: "currentColor", "font-weight": "bold", "font-size": 11},
        name.slice(dot + 1)
      ),
      el("line", {y1: top, y2: top + height, stroke: "currentColor", "stroke-opacity": 0.5})
    );
    // Labels from the top down, each far enough below the last one kept to be read, and cut to the
    // room before the next axis (the line's title has them whole).
    const room = Math.max(4, Math.floor((step - 10) / 5.5));
    let last = -Infinity;
    for (const t of ticks(
      scales[i],
      runs.map((r) => r.values[name])
    ).sort((a, b) => b.at - a.at)) {
      const at = y(t.at);
      g.append(el("line", {x1: -3, x2: 0, y1: at, y2: at, stroke: "currentColor", "stroke-opacity": 0.5}));
      if (at - last < labelGap) continue;
      last = at;
      labels.append(
        el(
          "text",
          {x: x(i) + 5, y: at + 3.5, ...halo},
          t.label.length > room ? `${t.label.slice(0, room - 1)}…` : t.label
        )
      );
    }
    if (runs.some((r) => paramValue(r.values[name]) === null))
      labels.append(el("text", {x: x(i) + 5, y: notSetY + 3.5, ...halo, class: "pc-not-set"}, "not set"));
    svg.append(g);
  });

  // The best run last, so it lies on top of the others.
  const order = [...runs.filter((r) => r.id !== best), ...runs.filter((r) => r.id === best)];
  for (const run of order) {
    const d = axes
      .map((name, i) => `${i ? "L" : "M"}${x(i)},${y(axisPosition(scales[i], run.values[name]))}`)
      .join("");
    const isBest = run.id === best;
    // A dark edge under the best line sets it apart from lines of its own colour.
    if (isBest)
      svg.append(el("path", {d, class: "pc-halo", fill: "none", stroke: "currentColor", "stroke-width": 6}));
    const path = el("path", {
      d,
      class: isBest ? "pc-run pc-best" : "pc-run",
      "data-run": run.id,
      fill: "none",
      stroke: colours ? colours.of(run.colourValue) : "#4c78a8",
      "stroke-width": isBest ? 3 : 1.5,
      "stroke-opacity": isBest ? 1 : 0.7
    });
    path.append(
      el("title", {}, [run.id, ...axes.map((name) => `${name}: ${paramLabel(run.values[name])}`)].join("\n"))
    );
    svg.append(path);
  }
  svg.append(labels);
  return svg;
}
